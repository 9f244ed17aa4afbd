"""Telegram HTML rendering and Update reading, without any server."""

from __future__ import annotations

import html
import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hub.adapters.telegram import render, translate
from hub.core.model.events import (
    ButtonClicked,
    CommandInvoked,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    PollAnswered,
    ReactionAdded,
)
from hub.core.model.messages import Button, Outbound, Poll, SpaceTarget
from hub.core.model.richtext import (
    Mention,
    RichText,
    escape_markup,
    mention_markup,
    parse_markup,
    with_mention_ids,
)
from tests.adapters.markup_checks import Dialect, expected_spans, rich_texts, shown
from tests.fakes.markup import MarkupError, Span
from tests.fakes.telegram import parse_html

SPACES = {"-1001": "main"}
USER = {"id": 7, "is_bot": False, "first_name": "Jean-Pierre", "last_name": "O'Neil"}
GROUP = {"id": -1001, "type": "supergroup", "title": "G"}


def _balanced(text: str) -> bool:
    try:
        parse_html(text)
    except MarkupError:
        return False
    return True


def outbound(markup: str, **extra: object) -> Outbound:
    return Outbound(key="k", target=SpaceTarget(space="main"), body=parse_markup(markup), **extra)  # type: ignore[arg-type]


def test_renders_html_with_tg_mentions_and_names_that_never_break() -> None:
    body = with_mention_ids(
        parse_markup(
            f"Bienvenue {mention_markup(3, 'Jean-Pierre')} ! **C'est top** _1.5x_ [site](https://x.org/?a=1&b=2)"
        ),
        {3: (("telegram", "777"),)},
    )
    (payload,) = render.payloads(Outbound(key="k", target=SpaceTarget(space="main"), body=body))
    assert (
        payload["text"]
        == 'Bienvenue <a href="tg://user?id=777">Jean-Pierre</a> ! <b>C\'est top</b> <i>1.5x</i> <a href="https://x.org/?a=1&amp;b=2">site</a>'
    )
    assert payload["parse_mode"] == "HTML"


def _text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1).filter(lambda t: t.strip() == t and "\n" not in t and "\r" not in t))
def test_any_member_text_renders_to_balanced_html_that_reads_back(text: str) -> None:
    (payload,) = render.payloads(outbound("**" + escape_markup(text) + "**"))
    assert _balanced(payload["text"])
    assert _text_of(payload["text"]) == text


def test_long_text_is_split_at_paragraphs_and_every_part_is_valid_html() -> None:
    markup = "\n\n".join(f"**Partie {i}** " + "é<&" * 400 for i in range(10))
    payloads = render.payloads(outbound(markup))
    assert len(payloads) > 1
    for payload in payloads:
        assert len(payload["text"]) <= 4096 and _balanced(payload["text"])
    assert "".join(_text_of(p["text"]) for p in payloads).count("Partie") == 10


def test_a_single_huge_line_is_cut_without_cutting_a_tag_or_an_entity() -> None:
    payloads = render.payloads(outbound("**" + "a&b" * 3000 + "**"))
    assert all(len(p["text"]) <= 4096 and _balanced(p["text"]) for p in payloads)
    assert "".join(_text_of(p["text"]) for p in payloads) == "a&b" * 3000


def test_buttons_become_an_inline_keyboard_and_polls_a_native_poll() -> None:
    message = outbound(
        "Vote",
        buttons=(Button(label="Oui", action="vote", value="12:0"),),
        poll=Poll(question="Jeudi ?", options=("Oui", "Non")),
    )
    text, poll = render.payloads(message)
    assert text["reply_markup"] == {
        "inline_keyboard": [[{"text": "Oui", "callback_data": "vote:12:0"}]]
    }
    assert poll == {"method": "sendPoll", "question": "Jeudi ?", "options": ["Oui", "Non"]}


def test_a_join_reported_as_service_message_and_as_chat_member_both_read_as_joins() -> None:
    service = {
        "update_id": 2,
        "message": {
            "message_id": 11,
            "date": 1_700_000_000,
            "chat": GROUP,
            "from": USER,
            "new_chat_members": [USER],
        },
    }
    member = {
        "update_id": 3,
        "chat_member": {
            "chat": GROUP,
            "from": USER,
            "date": 1_700_000_000,
            "old_chat_member": {"status": "left", "user": USER},
            "new_chat_member": {"status": "member", "user": USER},
        },
    }
    (first,) = translate.update_to_core(service, "c", SPACES, "hub_test_bot")
    (second,) = translate.update_to_core(member, "c", SPACES, "hub_test_bot")
    assert isinstance(first, MemberJoined) and isinstance(second, MemberJoined)
    assert first.actor == second.actor and first.actor.display_name == "Jean-Pierre O'Neil"
    leaving = {
        "update_id": 4,
        "chat_member": {
            **member["chat_member"],
            "old_chat_member": {"status": "member", "user": USER},
            "new_chat_member": {"status": "left", "user": USER},
        },
    }
    assert isinstance(translate.update_to_core(leaving, "c", SPACES, "hub_test_bot")[0], MemberLeft)


def test_commands_need_the_entity_and_must_be_addressed_to_us() -> None:
    def text(value: str, entity: bool = True) -> dict[str, object]:
        message = {"message_id": 5, "date": 1, "chat": GROUP, "from": USER, "text": value}
        if entity:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(value.split()[0])}
            ]
        return {"update_id": 9, "message": message}

    (help_,) = translate.update_to_core(text("/help@hub_test_bot"), "c", SPACES, "hub_test_bot")
    assert isinstance(help_, CommandInvoked) and help_.name == "help"
    assert translate.update_to_core(text("/help@other_bot"), "c", SPACES, "hub_test_bot") == []
    (plain,) = translate.update_to_core(text("/help", entity=False), "c", SPACES, "hub_test_bot")
    assert isinstance(plain, MessageReceived)


def test_replies_buttons_polls_and_reactions() -> None:
    reply = {
        "update_id": 1,
        "message": {
            "message_id": 6,
            "date": 1,
            "chat": GROUP,
            "from": USER,
            "text": "Notion",
            "reply_to_message": {"message_id": 5, "date": 1, "chat": GROUP},
        },
    }
    (said,) = translate.update_to_core(reply, "c", SPACES, None)
    assert isinstance(said, MessageReceived) and (said.reply_to, said.message_id) == ("5", "6")
    press = {
        "update_id": 2,
        "callback_query": {
            "id": "cb1",
            "from": USER,
            "chat_instance": "x",
            "data": "vote:12:1",
            "message": {"message_id": 5, "date": 1, "chat": GROUP},
        },
    }
    (clicked,) = translate.update_to_core(press, "c", SPACES, None)
    assert isinstance(clicked, ButtonClicked) and (
        clicked.action,
        clicked.value,
        clicked.message_id,
    ) == ("vote", "12:1", "5")
    answer = {
        "update_id": 3,
        "poll_answer": {
            "poll_id": "p1",
            "user": USER,
            "option_ids": [1],
            "option_persistent_ids": ["o1"],
        },
    }
    (voted,) = translate.update_to_core(answer, "c", SPACES, None)
    assert isinstance(voted, PollAnswered) and voted.option_ids == (1,)
    reaction = {
        "update_id": 4,
        "message_reaction": {
            "chat": GROUP,
            "message_id": 5,
            "user": USER,
            "date": 1,
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "🔥"}],
        },
    }
    (reacted,) = translate.update_to_core(reaction, "c", SPACES, None)
    assert isinstance(reacted, ReactionAdded) and reacted.emoji == "🔥"


def test_updates_from_other_groups_are_ignored_but_private_chats_are_read() -> None:
    other = {
        "update_id": 1,
        "message": {
            "message_id": 6,
            "date": 1,
            "chat": {"id": -999, "type": "group"},
            "from": USER,
            "text": "hi",
        },
    }
    assert translate.update_to_core(other, "c", SPACES, None) == []
    private = {
        "update_id": 2,
        "message": {
            "message_id": 6,
            "date": 1,
            "chat": {"id": 7, "type": "private"},
            "from": USER,
            "text": "hi",
        },
    }
    (said,) = translate.update_to_core(private, "c", SPACES, None)
    assert said.space is None


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda c: (
            st.lists(c, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "update_id",
                        "message",
                        "chat",
                        "from",
                        "text",
                        "id",
                        "type",
                        "new_chat_members",
                        "callback_query",
                        "data",
                        "poll_answer",
                        "chat_member",
                        "entities",
                    ]
                ),
                c,
                max_size=5,
            )
        ),
        max_leaves=20,
    )
)
def test_no_update_shape_crashes_the_reader(update: object) -> None:
    if isinstance(update, dict):
        translate.update_to_core(update, "c", SPACES, "hub_test_bot")


def test_struck_text_is_an_s_tag() -> None:
    (payload,) = render.payloads(outbound("~~complet~~"))
    assert payload["text"] == "<s>complet</s>"


# ---- markup from members and owners shows cleanly (issue 11, point 7) ----------------------


def _telegram_mention(mention: Mention, marks: frozenset[str]) -> list[Span]:
    return [(mention.name, marks | {f"mention:{mention.user_id_on('telegram')}"})]


TELEGRAM = Dialect("telegram", mention=_telegram_mention)


@settings(max_examples=400, deadline=None)
@given(rich_texts("telegram"))
def test_any_rich_text_shows_on_telegram_exactly_as_meant(body: RichText) -> None:
    payloads = render.payloads(Outbound(key="k", target=SpaceTarget(space="main"), body=body))
    assume(len(payloads) == 1)  # long texts are split: shown by the splitting tests
    assert shown(parse_html(payloads[0]["text"])) == shown(expected_spans(body, TELEGRAM))
