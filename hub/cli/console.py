"""Where the CLI writes, and how: text as written, counts in words, refusals without tracebacks."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

from hub.core.config.loader import ConfigError
from hub.core.model.plurals import plural_of
from hub.core.ports import StartupError

# Wide enough for tables when piped; issues and logs never wrap mid-line.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, soft_wrap=True)

CLI_LOCALE = "en"
"""The CLI speaks to owners and ops in English, whatever their communities' locales."""


def plain(text: object) -> Text:
    """Text printed as written: no Rich markup, no emoji codes (`broken.yaml:100:14`)."""
    return Text(str(text))


def counted(count: int, one: str, other: str) -> str:
    """`count` and its noun in the right number, by Babel's rules: "1 problem", "2 problems"."""
    return f"{count} {plural_of(count, {'one': one, 'other': other}, CLI_LOCALE)}"


def refuse(error: StartupError) -> NoReturn:
    """A process that cannot start says what to set, and exits 1 without a traceback."""
    err.print(f"Cannot start: {error}", markup=False, highlight=False, emoji=False)
    raise typer.Exit(1) from None


def print_issues(error: ConfigError) -> None:
    """Every problem of the configuration, one per line, each with its file:line."""
    heading = f"{counted(len(error.issues), 'problem', 'problems')} in the configuration:"
    err.print(Text(heading, "red"))
    for issue in error.issues:
        err.print(plain(issue), highlight=False)
