"""One command language: every platform's way of typing a command gives the same verb."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.core.model.commands import ParsedCommand, parse_command


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
