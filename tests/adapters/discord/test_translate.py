"""Discord markdown out (escaping, mentions, splitting), gateway and interaction payloads in."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hub.adapters.discord import render
from hub.adapters.discord.render import MAX_CONTENT, escape, unescape
from hub.adapters.discord.translate import Author, Inbound, read_interaction
from hub.core.model.commands import Said
from hub.core.model.events import ButtonClicked, CommandInvoked, MemberJoined, MessageReceived
from hub.core.model.messages import Button, Outbound, Poll, SpaceTarget
from hub.core.model.richtext import (
    Mention,
    Paragraph,
    RichText,
    Text,
    escape_markup,
    parse_markup,
    with_mention_ids,
)
from hub.core.model.templates import member_variables, render_template
from tests.adapters.markup_checks import (
    Dialect,
    at_mention,
    expected_spans,
    rich_texts,
    shown,
    users_of,
)
from tests.fakes.discord import parse_markdown
from tests.fakes.markup import Span

INBOUND = Inbound("c", {"3000": "main", "3001": "annonces"})
ZOE = Author("5000", "Zoé")


def outbound(markup: str, **extra: object) -> Outbound:
    return Outbound(key="k", target=SpaceTarget(space="main"), body=parse_markup(markup), **extra)  # type: ignore[arg-type]


def test_owner_markup_becomes_discord_markdown() -> None:
    (payload,) = render.payloads(
        outbound("**Bienvenue** _Jean-Pierre_ ! [site](https://ex.org/a_b?q=1)")
    )
    assert payload["content"] == (
        r"**Bienvenue** *Jean\-Pierre* ! [site](<https://ex.org/a_b?q=1>)"
    )


def test_mentions_ping_only_the_member_the_hub_meant() -> None:
    zoe = Mention(7, "Zoé", (("discord", "5000"),))
    body = RichText((Paragraph((Text("Bravo "), zoe, Text(" @everyone"))),))
    (payload,) = render.payloads(Outbound(key="k", target=SpaceTarget(space="main"), body=body))
    assert payload["content"] == r"Bravo <@5000> \@everyone"
    assert payload["mentions"] == ["5000"]


@given(st.text(max_size=200))
def test_member_text_is_shown_literally_and_can_never_ping(text: str) -> None:
    for payload in render.payloads(outbound(escape_markup(text))):
        content = payload["content"]
        assert "@everyone" not in content.replace("\\@", "")
        assert "<@" not in content.replace("\\<", "")
        assert payload["mentions"] == []


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=200))
def test_escaping_round_trips(text: str) -> None:
    """Tildes become look-alikes and addresses are percent-encoded: the rest reads back."""
    assert unescape(escape(text)) == text.replace("~", "∼") or "://" in text


def test_a_long_text_is_split_at_paragraphs_under_2000_characters() -> None:
    paragraphs = [f"**Paragraphe {i}** " + "mot " * 150 for i in range(12)]
    payloads = render.payloads(outbound("\n\n".join(paragraphs)))
    assert len(payloads) > 1
    assert all(len(p["content"]) <= MAX_CONTENT for p in payloads)
    assert all(p["content"].startswith("**Paragraphe") for p in payloads)
    assert sum(p["content"].count("**Paragraphe") for p in payloads) == 12


def test_one_endless_line_is_cut_without_breaking_an_escape() -> None:
    payloads = render.payloads(outbound(escape_markup("-_" * 3000)))
    assert all(len(p["content"]) <= MAX_CONTENT for p in payloads)
    assert "".join(unescape(p["content"]) for p in payloads) == "-_" * 3000


def test_buttons_and_polls() -> None:
    payloads = render.payloads(
        outbound(
            "Votez",
            buttons=(Button(label="Oui", action="vote", value="1:0"),),
            poll=Poll(question="Q ?", options=("a", "b")),
        )
    )
    assert payloads[0]["buttons"] == [{"label": "Oui", "custom_id": "vote:1:0"}]
    assert payloads[1]["poll"] == {"question": "Q ?", "answers": ["a", "b"]}
    assert len({p["nonce"] for p in payloads}) == 2
    assert all(len(p["nonce"]) <= 25 for p in payloads)


def test_a_guild_join_joins_each_configured_channel_of_that_guild() -> None:
    events = INBOUND.member_joined({"3000", "9999"}, ZOE, None)
    assert [type(e) for e in events] == [MemberJoined]
    assert events[0].space == "main"
    assert INBOUND.member_joined({"3000"}, Author("6", "bot", bot=True), None) == []


def test_messages_commands_and_replies() -> None:
    (message,) = INBOUND.message("3000", ZOE, Said("Salut", "1", "42"), private=False)
    assert isinstance(message, MessageReceived) and message.reply_to == "42"
    (command,) = INBOUND.message("3000", ZOE, Said("/hub help", "2"), private=False)
    assert isinstance(command, CommandInvoked) and command.name == "help"
    assert INBOUND.message("4444", ZOE, Said("Salut", "3"), private=False) == []
    assert INBOUND.message("3000", Author("6", "b", bot=True), Said("x", "4"), private=False) == []
    assert INBOUND.message("3000", ZOE, Said("/shrug", "5"), private=False)[0].kind == (
        "message_received"
    )


def test_slash_commands_and_button_clicks_from_interaction_payloads() -> None:
    user = {"user": {"id": "5000", "username": "zoe", "global_name": "Zoé"}}
    slash = read_interaction(
        {
            "id": "7",
            "type": 2,
            "guild_id": "2000",
            "channel_id": "3000",
            "member": user,
            "data": {"name": "hub", "options": [{"name": "command", "value": "kudos @x merci"}]},
        }
    )
    assert slash is not None
    (command,) = INBOUND.interaction(slash)
    assert isinstance(command, CommandInvoked)
    assert (command.name, command.args, command.space) == ("kudos", ("@x", "merci"), "main")
    click = read_interaction(
        {
            "id": "8",
            "type": 3,
            "guild_id": "2000",
            "channel_id": "3000",
            "member": user,
            "message": {"id": "99"},
            "data": {"custom_id": "vote:1:0", "component_type": 2},
        }
    )
    assert click is not None
    (clicked,) = INBOUND.interaction(click)
    assert isinstance(clicked, ButtonClicked)
    assert (clicked.action, clicked.value, clicked.message_id) == ("vote", "1:0", "99")


@given(st.dictionaries(st.text(max_size=12), st.one_of(st.none(), st.integers(), st.text())))
def test_any_json_object_is_read_or_refused_without_raising(payload: dict[str, object]) -> None:
    interaction = read_interaction(payload)
    if interaction is not None:
        INBOUND.interaction(interaction)


def test_struck_text_is_double_tildes() -> None:
    (payload,) = render.payloads(outbound("~~complet~~ ~10"))
    assert payload["content"] == "~~complet~~ ∼10"  # a tilde cannot be escaped inside ~~


# ---- markup from members and owners shows cleanly (issue 11, point 7) ----------------------

DISCORD = Dialect("discord", mention=at_mention("discord"))


def shown_on_discord(body: RichText, one: bool = True) -> tuple[list[Span], list[str]]:
    """What the message shows, and who it may ping (`allowed_mentions`)."""
    payloads = render.payloads(Outbound(key="k", target=SpaceTarget(space="main"), body=body))
    if not one:
        assume(len(payloads) == 1)  # long texts are split: shown by the splitting tests
    (payload,) = payloads
    return parse_markdown(payload["content"], users_of(body, "discord")), payload["mentions"]


def test_a_bold_title_around_a_mention_shows_no_stray_asterisk() -> None:
    body = render_template(
        "🌟 **À la une : {{ featured.mention }}**", {"featured": member_variables(9, "Amélie")}
    )
    (payload,) = render.payloads(Outbound(key="k", target=SpaceTarget(space="main"), body=body))
    assert payload["content"] == "🌟 **À la une : Amélie**"
    seen, _ = shown_on_discord(body)
    assert shown(seen) == [("🌟 ", frozenset()), ("À la une : Amélie", {"bold"})]


def test_a_bold_title_around_a_real_mention_pings_only_that_member() -> None:
    body = with_mention_ids(
        render_template("**Bravo {{ m.mention }} !**", {"m": member_variables(9, "**Amé**")}),
        {9: (("discord", "5000"),)},
    )
    seen, mentions = shown_on_discord(body)
    assert shown(seen) == [
        ("Bravo ", {"bold"}),
        ("@∗∗Amé∗∗", {"bold", "mention:5000"}),
        (" !", {"bold"}),
    ]
    assert mentions == ["5000"]


@settings(max_examples=400, deadline=None)
@given(rich_texts("discord"))
def test_any_rich_text_shows_on_discord_exactly_as_meant(body: RichText) -> None:
    seen, mentions = shown_on_discord(body, one=False)
    expected = expected_spans(body, DISCORD)
    assert shown(seen) == shown(expected)
    meant = {mark[8:] for _, marks in expected for mark in marks if mark.startswith("mention:")}
    assert mentions == sorted(meant)
