"""Set-up and upkeep: `telegram set-webhook`, `db upgrade`, `inbox list` and `inbox retry`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from hub.cli.apps import db_app, inbox_app, telegram_app
from hub.cli.console import err, out, plain
from hub.cli.loading import ConfigOption, load, validated


@telegram_app.command("set-webhook")
def telegram_set_webhook(config: ConfigOption = None) -> None:
    """Register POST /webhooks/telegram (with its secret and allowed updates) for every bot."""
    import asyncio

    from hub.adapters.telegram.settings import TelegramSettings
    from hub.adapters.telegram.setup import register_webhook

    configs = validated(config)
    public_url = configs[0].config.server.public_url
    if public_url is None:
        err.print(
            "[red]server.public_url is not set[/red]: Telegram needs a public HTTPS address (or leave it unset and the hub polls)."
        )
        raise typer.Exit(1)
    for loaded in configs:
        section = loaded.config.platform_sections().get("telegram")
        if isinstance(section, TelegramSettings):
            try:
                url = asyncio.run(register_webhook(section, public_url))
            except Exception as error:  # an owner gets one clear line, never the token
                message = str(error).replace(section.token.get_secret_value(), "[redacted]")
                err.print(Text(f"{loaded.config.community.id}:", "red") + plain(f" {message}"))
                raise typer.Exit(1) from None
            community = loaded.config.community.id
            out.print(plain(f"{community}: Telegram will post updates to {url}"), highlight=False)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply database migrations (idempotent)."""
    hub = load(config)
    hub.database.upgrade()
    out.print("Database is up to date.")


@inbox_app.command("list")
def inbox_list(
    config: ConfigOption = None,
    community: Annotated[str | None, typer.Option(help="Only this community's.")] = None,
) -> None:
    """Dead letters: events that failed every attempt, with the last error; exit 1 if any."""
    letters = load(config).inbox.dead_letters(community)
    table = Table(title=f"Dead letters: {len(letters)}")
    for column in ("id", "community", "platform", "kind", "received (UTC)", "attempts", "error"):
        table.add_column(column)
    for letter in letters:
        received = letter.received_at.strftime("%Y-%m-%d %H:%M")
        cells = (letter.id, letter.community_id, letter.platform, letter.kind, received)
        table.add_row(*(plain(c) for c in (*cells, letter.attempts, letter.last_error or "")))
    out.print(table)
    if letters:
        raise typer.Exit(1)


@inbox_app.command("retry")
def inbox_retry(
    ids: Annotated[list[int], typer.Argument(help="Dead letter ids, from `hub inbox list`.")],
    config: ConfigOption = None,
) -> None:
    """Hand dead letters to the workers again, with a fresh set of attempts."""
    from hub.runtime import actors_for

    hub = load(config)
    retried = hub.inbox.retry(ids)
    actors = actors_for(hub)
    for inbox_id in retried:
        actors.handle_event.send(inbox_id)
    missing = sorted(set(ids) - set(retried))
    out.print(plain(f"Queued again: {retried or 'none'}"), highlight=False)
    if missing:
        err.print(plain(f"Not dead letters (unknown or already processed): {missing}"))
        raise typer.Exit(1)
