"""The `hub` command and its groups, which the command modules register on."""

from __future__ import annotations

from importlib.metadata import version as installed_version
from typing import Annotated

import typer

from hub.cli.console import out, plain

app = typer.Typer(
    help="A messaging hub that runs a growth community's rituals on every platform.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
ritual_app = typer.Typer(help="Run rituals by hand.", no_args_is_help=True)
telegram_app = typer.Typer(help="Telegram set-up.", no_args_is_help=True)
inbox_app = typer.Typer(
    help="Inbound events the pipeline could not process (dead letters).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(ritual_app, name="ritual")
app.add_typer(telegram_app, name="telegram")
app.add_typer(inbox_app, name="inbox")


def _print_version(asked: bool) -> None:
    if asked:
        out.print(plain(f"hub {installed_version('growth-hub')}"), highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the installed version and exit.",
        ),
    ] = False,
) -> None:
    """Options for every command."""
