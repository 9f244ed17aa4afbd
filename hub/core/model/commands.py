"""One command language on every platform: `/hub <verb> <args…>` and its platform variants.

Slack and Discord deliver `/hub` slash commands; Telegram `/verb` or `/verb@bot`; WhatsApp and
the webchat plain text such as `hub help` or `/help`. All become (verb, args).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

_COMMAND = re.compile(
    r"^\s*/(?P<word>[A-Za-z][\w-]{0,31})(?:@(?P<bot>\w+))?(?:\s+(?P<rest>.*))?$", re.DOTALL
)
_KEYWORD = re.compile(r"^\s*hub(?:\s+(?P<rest>.*))?$", re.DOTALL | re.IGNORECASE)
HUB = "hub"


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    """A verb (lower case) and its arguments; `help` when the member typed only `/hub`."""

    verb: str
    args: tuple[str, ...]


def parse_command(
    text: str, bot_username: str | None = None, *, keywords: bool = False
) -> ParsedCommand | None:
    """The command in a message, or None if it is not one (or is addressed to another bot).

    `keywords` also accepts "hub <verb>" without a slash, for platforms whose keyboards make
    slashes awkward (WhatsApp); group chats keep it off so ordinary talk is never a command.
    """
    slash = _COMMAND.match(text)
    if slash:
        if slash.group("bot") and (
            bot_username is None or slash.group("bot").lower() != bot_username.lower()
        ):
            return None
        word, rest = slash.group("word").lower(), slash.group("rest") or ""
        return _verb_and_args(rest) if word == HUB else ParsedCommand(word, _split(rest))
    keyword = _KEYWORD.match(text) if keywords else None
    if keyword:
        return _verb_and_args(keyword.group("rest") or "")
    return None


def _verb_and_args(rest: str) -> ParsedCommand:
    words = _split(rest)
    if not words:
        return ParsedCommand("help", ())
    return ParsedCommand(words[0].lower(), words[1:])


def _split(rest: str) -> tuple[str, ...]:
    """Words, honouring quotes where they balance; never fails on unbalanced ones."""
    try:
        return tuple(shlex.split(rest))
    except ValueError:
        return tuple(rest.split())
