"""Rendering to Block Kit/mrkdwn and reading Slack payloads, without any server."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.adapters.slack import render, translate
from hub.core.model.deliveries import Destination
from hub.core.model.events import (
    ButtonClicked,
    CommandInvoked,
    MemberJoined,
    MessageReceived,
    ReactionAdded,
)
from hub.core.model.messages import Button, Outbound, Poll, SpaceTarget
from hub.core.model.richtext import (
    RichText,
    escape_markup,
    mention_markup,
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
from tests.fakes.markup import Span, plain
from tests.fakes.slack import parse_mrkdwn

CHANNEL = Destination(community_id="c", platform="slack", address="C0MAIN", space="main")
SPACES = {"C0MAIN": "main"}


def outbound(markup: str, **extra: object) -> Outbound:
    return Outbound(key="k", target=SpaceTarget(space="main"), body=parse_markup(markup), **extra)  # type: ignore[arg-type]


def test_renders_mrkdwn_with_slack_mentions() -> None:
    body = with_mention_ids(
        parse_markup(
            f"Bienvenue {mention_markup(3, 'Zoé')} dans **Inside** _now_ [site](https://x.org)"
        ),
        {3: (("slack", "U123"),)},
    )
    (payload,) = render.payloads(Outbound(key="k", target=SpaceTarget(space="main"), body=body))
    assert (
        payload["blocks"][0]["text"]["text"]
        == "Bienvenue <@U123> dans *Inside* _now_ <https://x.org|site>"
    )


def test_member_text_can_never_ping_the_channel() -> None:
    (payload,) = render.payloads(outbound(escape_markup("<!channel> & <@U999> <https://evil|x>")))
    text = payload["blocks"][0]["text"]["text"]
    assert text == "&lt;!channel&gt; &amp; &lt;@U999&gt; &lt;https://evil|x&gt;"
    assert "<" not in text


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1))
def test_no_member_text_produces_a_slack_control_sequence(text: str) -> None:
    for payload in render.payloads(outbound(escape_markup(text))):
        rendered = payload["text"] + "".join(
            b.get("text", {}).get("text", "") for b in payload["blocks"]
        )
        assert "<" not in rendered and ">" not in rendered


def test_long_text_is_split_within_block_and_message_limits() -> None:
    paragraphs = "\n\n".join(f"Paragraphe {i} " + "x" * 2500 for i in range(12))
    payloads = render.payloads(outbound(paragraphs))
    assert len(payloads) == 3
    for payload in payloads:
        sections = [b["text"]["text"] for b in payload["blocks"]]
        assert all(len(s) <= 3000 for s in sections)
        assert sum(map(len, sections)) <= 12_000


def test_buttons_and_polls_become_an_actions_block() -> None:
    message = outbound(
        "Vote !",
        buttons=(Button(label="Oui", action="rsvp", value="yes"),),
        poll=Poll(question="Jeudi ?", options=("Oui", "Non")),
    )
    (payload,) = render.payloads(message)
    actions = payload["blocks"][-1]
    assert actions["type"] == "actions"
    assert [e["value"] for e in actions["elements"]] == ["rsvp:yes", "poll:0", "poll:1"]


def envelope(event: dict[str, object], event_id: str = "Ev1") -> dict[str, object]:
    return {
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1_700_000_000,
        "event": event,
    }


def test_a_channel_join_is_a_member_joined() -> None:
    (event,) = translate.event_to_core(
        envelope({"type": "member_joined_channel", "user": "U1", "channel": "C0MAIN"}),
        "c",
        SPACES,
        "U0BOT",
    )
    assert isinstance(event, MemberJoined)
    assert (event.event_id, event.space, event.actor.user_id) == ("slack:Ev1", "main", "U1")
    assert event.occurred_at == datetime.fromtimestamp(1_700_000_000, UTC)


def test_messages_keep_their_thread_and_commands_are_commands() -> None:
    message = {
        "type": "message",
        "user": "U1",
        "channel": "C0MAIN",
        "text": "Notion",
        "ts": "2.0",
        "thread_ts": "1.0",
    }
    (said,) = translate.event_to_core(envelope(message), "c", SPACES, "U0BOT")
    assert isinstance(said, MessageReceived) and said.reply_to == "1.0" and said.message_id == "2.0"
    mention = {
        "type": "app_mention",
        "user": "U1",
        "channel": "C0MAIN",
        "text": "<@U0BOT> help",
        "ts": "3.0",
    }
    (command,) = translate.event_to_core(envelope(mention), "c", SPACES, "U0BOT")
    assert isinstance(command, CommandInvoked) and command.name == "help"


def test_the_bots_own_messages_edits_and_other_channels_are_ignored() -> None:
    base = {"type": "message", "channel": "C0MAIN", "text": "x", "ts": "1.0"}
    assert translate.event_to_core(envelope({**base, "user": "U0BOT"}), "c", SPACES, "U0BOT") == []
    assert (
        translate.event_to_core(
            envelope({**base, "user": "U1", "bot_id": "B1"}), "c", SPACES, "U0BOT"
        )
        == []
    )
    assert (
        translate.event_to_core(
            envelope({**base, "user": "U1", "subtype": "message_changed"}), "c", SPACES, "U0BOT"
        )
        == []
    )
    assert (
        translate.event_to_core(
            envelope({**base, "user": "U1", "channel": "C0OTHER"}), "c", SPACES, "U0BOT"
        )
        == []
    )


def test_reactions_slash_commands_and_buttons() -> None:
    reaction = {
        "type": "reaction_added",
        "user": "U1",
        "reaction": "tada",
        "item": {"type": "message", "channel": "C0MAIN", "ts": "5.0"},
    }
    (reacted,) = translate.event_to_core(envelope(reaction), "c", SPACES, "U0BOT")
    assert isinstance(reacted, ReactionAdded) and (reacted.emoji, reacted.message_id) == (
        "tada",
        "5.0",
    )
    form = {
        "command": "/hub",
        "text": "kudos <@U2|bob> merci",
        "user_id": "U1",
        "channel_id": "C0MAIN",
        "trigger_id": "t1",
    }
    (command,) = translate.slash_command_to_core(form, "c", SPACES)
    assert (
        isinstance(command, CommandInvoked)
        and command.name == "kudos"
        and command.args == ("@{U2}", "merci")  # the neutral mention
    )
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "channel": {"id": "C0MAIN"},
        "message": {"ts": "9.0"},
        "actions": [{"value": "poll:1", "action_ts": "10.1"}],
    }
    (clicked,) = translate.interaction_to_core(payload, "c", SPACES)
    assert isinstance(clicked, ButtonClicked) and (
        clicked.action,
        clicked.value,
        clicked.message_id,
    ) == ("poll", "1", "9.0")


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=12),
        st.one_of(
            st.none(),
            st.text(max_size=20),
            st.integers(),
            st.lists(st.text(max_size=5), max_size=2),
        ),
        max_size=8,
    )
)
def test_no_payload_shape_crashes_the_readers(data: dict[str, object]) -> None:
    translate.event_to_core(
        {"type": "event_callback", "event_id": "E", "event": data}, "c", SPACES, "U0BOT"
    )
    translate.interaction_to_core({"type": "block_actions", **data}, "c", SPACES)
    translate.slash_command_to_core({k: str(v) for k, v in data.items()}, "c", SPACES)


def test_struck_text_is_single_tildes() -> None:
    (payload,) = render.payloads(outbound("~~complet~~"))
    assert payload["blocks"][0]["text"]["text"] == "~complet~"


# ---- markup from members and owners shows cleanly (issue 11, point 7) ----------------------

SLACK = Dialect(
    "slack",
    schemes=("http://", "https://", "mailto:"),
    mention=at_mention("slack"),
    marks_in_links=False,
)


def shown_on_slack(body: RichText) -> list[Span]:
    users = users_of(body, "slack")
    seen: list[Span] = []
    for payload in render.payloads(Outbound(key="k", target=SpaceTarget(space="main"), body=body)):
        for block in payload["blocks"]:
            if block["type"] == "section":
                seen += [("\n\n", frozenset())] * bool(seen)
                seen += parse_mrkdwn(block["text"]["text"], users)
    return seen


def test_a_member_name_in_markup_shows_as_typed_without_italic() -> None:
    body = render_template(
        "Bienvenue {{ member.mention }} ({{ member.name }})",
        {"member": member_variables(3, "**Bold** _it_")},
    )
    seen = shown(shown_on_slack(body))
    assert plain(seen) == "Bienvenue ∗∗Bold∗∗ ˍitˍ (∗∗Bold∗∗ ˍitˍ)"
    assert [marks for _, marks in seen] == [frozenset(), {"bold"}, frozenset()]


def test_a_bold_title_around_a_mention_shows_no_stray_asterisk() -> None:
    body = render_template(
        "🌟 **À la une : {{ featured.mention }}**", {"featured": member_variables(9, "Amélie")}
    )
    (payload,) = render.payloads(Outbound(key="k", target=SpaceTarget(space="main"), body=body))
    assert payload["blocks"][0]["text"]["text"] == "🌟 *À la une : Amélie*"
    assert shown(shown_on_slack(body)) == [("🌟 ", frozenset()), ("À la une : Amélie", {"bold"})]


@settings(max_examples=400, deadline=None)
@given(rich_texts("slack"))
def test_any_rich_text_shows_on_slack_exactly_as_meant(body: RichText) -> None:
    assert shown(shown_on_slack(body)) == shown(expected_spans(body, SLACK))
