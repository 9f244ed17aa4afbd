"""One command language: every platform's way of typing a command gives the same verb."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.core.model.commands import (
    Grammar,
    ParsedCommand,
    Said,
    command_or_message,
    invoked,
    parse_command,
)
from hub.core.model.domain import Identity
from hub.core.model.events import CommandInvoked, MessageReceived


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/hub help", ParsedCommand("help", ())),
        ("/hub", ParsedCommand("help", ())),
        ("/HUB Kudos @zoe merci", ParsedCommand("kudos", ("@zoe", "merci"))),
        ("/help", ParsedCommand("help", ())),
        ("/help@HubBot", ParsedCommand("help", ())),
        (
            '/hub shoutout https://x.org "une aide précieuse"',
            ParsedCommand("shoutout", ("https://x.org", "une aide précieuse")),
        ),
        ('/hub why "unbalanced quote', ParsedCommand("why", ('"unbalanced', "quote"))),
    ],
)
def test_slash_forms_give_the_same_verb_and_args(text: str, expected: ParsedCommand) -> None:
    assert parse_command(text, bot_username="hubbot") == expected


def test_a_command_for_another_bot_is_not_ours() -> None:
    assert parse_command("/help@otherbot", bot_username="hubbot") is None


@pytest.mark.parametrize("text", ["bonjour", "hub est top", "/ pas une commande", "1/2", ""])
def test_ordinary_talk_is_not_a_command(text: str) -> None:
    assert parse_command(text) is None


def test_keyword_form_only_where_the_platform_asks_for_it() -> None:
    assert parse_command("hub help") is None
    assert parse_command("HUB help", keywords=True) == ParsedCommand("help", ())
    assert parse_command("hub", keywords=True) == ParsedCommand("help", ())


@settings(max_examples=300, deadline=None)
@given(st.text(), st.booleans())
def test_parsing_any_text_never_fails_and_verbs_are_lower_case(text: str, keywords: bool) -> None:
    parsed = parse_command(text, "hubbot", keywords=keywords)
    if parsed is not None:
        assert parsed.verb == parsed.verb.lower() and parsed.verb


BASE = {
    "event_id": "e",
    "community_id": "c",
    "platform": "p",
    "space": None,
    "actor": Identity(platform="p", user_id="u", display_name="U"),
    "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
}


def test_text_is_a_command_or_a_message_by_the_platforms_grammar() -> None:
    said = Said("/hub kudos @zoe", message_id="m", reply_to="r")
    command = command_or_message(BASE, said)
    assert isinstance(command, CommandInvoked) and command.args == ("@zoe",)
    message = command_or_message(BASE, Said("bonjour", message_id="m", reply_to="r"))
    assert isinstance(message, MessageReceived) and message.reply_to == "r"
    shrug = command_or_message(BASE, Said("/shrug", "m"), Grammar(hub_only=True))
    assert isinstance(shrug, MessageReceived)
    keyword = command_or_message(BASE, Said("hub help", "m"), Grammar(keywords=True))
    assert isinstance(keyword, CommandInvoked) and keyword.name == "help"
    assert isinstance(command_or_message(BASE, Said("hub help", "m")), MessageReceived)


def test_text_addressed_elsewhere_is_neither_command_nor_message() -> None:
    telegram = Grammar(bot_username="hubbot", other_bots=True)
    assert command_or_message(BASE, Said("/help@otherbot", "m"), telegram) is None
    assert isinstance(command_or_message(BASE, Said("/help@hubbot", "m"), telegram), CommandInvoked)
    unmarked = command_or_message(BASE, Said("/help", "m"), Grammar(commands=False))
    assert isinstance(unmarked, MessageReceived)
    mention = command_or_message(BASE, Said("", "m"), Grammar(addressed=True))
    assert isinstance(mention, CommandInvoked) and mention.name == "help"


def test_a_slash_commands_words_are_read_as_after_hub() -> None:
    command = invoked(BASE, 'kudos @zoe "un grand merci"')
    assert (command.name, command.args) == ("kudos", ("@zoe", "un grand merci"))
    assert invoked(BASE, "  ").name == "help"
