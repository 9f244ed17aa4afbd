"""One command language on every platform: `/hub <verb> <args…>` and its platform variants.

Slack and Discord deliver `/hub` slash commands; Telegram `/verb` or `/verb@bot`; WhatsApp and
the webchat plain text such as `hub help` or `/help`. All become (verb, args).
`command_or_message` is the one place a translator turns what a member wrote into an event:
each platform only says, in a `Grammar`, how its members type commands.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub.core.model.events import CommandInvoked, MessageReceived

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


@dataclass(frozen=True, slots=True)
class Grammar:
    """How members of one platform type commands in a message."""

    bot_username: str | None = None
    """Telegram: `/verb@bot` is a command only for this bot."""
    keywords: bool = False
    """WhatsApp: "hub verb" without a slash is a command too."""
    hub_only: bool = False
    """Discord: only `/hub …` is ours; other slashes are the member's own text."""
    addressed: bool = False
    """Slack's app mention: the whole text is the words after `/hub`, never a message."""
    other_bots: bool = False
    """Telegram marked the text as a command: one it cannot read as ours (another bot's, in a
    group) is neither a command nor a message."""
    commands: bool = True
    """False where the platform marks commands itself (Telegram) and this text is not one."""


PLAIN = Grammar()


@dataclass(frozen=True, slots=True)
class Said:
    """What a member wrote, and the platform ids of that message and of the one it answers."""

    text: str
    message_id: str
    reply_to: str | None = None


def command_or_message(
    base: Mapping[str, Any], said: Said, grammar: Grammar = PLAIN
) -> CommandInvoked | MessageReceived | None:
    """A member's text as a command (by the platform's `grammar`) or else a message; None when
    it is addressed to someone else. `base` holds the event's common fields."""
    command = _command_in(said.text, grammar)
    if command is not None:
        return CommandInvoked(**base, name=command.verb, args=command.args)
    if grammar.addressed or grammar.other_bots:
        return None
    return MessageReceived(
        **base, text=said.text, message_id=said.message_id, reply_to=said.reply_to
    )


def invoked(base: Mapping[str, Any], words: str) -> CommandInvoked:
    """A slash command's event from the words typed after `/hub` (Slack, Discord)."""
    command = _verb_and_args(words)
    return CommandInvoked(**base, name=command.verb, args=command.args)


def _command_in(text: str, grammar: Grammar) -> ParsedCommand | None:
    if not grammar.commands:
        return None
    if grammar.addressed:
        return _verb_and_args(text)
    if grammar.hub_only and not _HUB_SLASH.match(text):
        return None
    return parse_command(text, grammar.bot_username, keywords=grammar.keywords)


_HUB_SLASH = re.compile(r"^\s*/hub\b", re.IGNORECASE)
