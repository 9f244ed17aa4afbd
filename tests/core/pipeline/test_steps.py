"""Each step of the inbound pipeline alone, against the in-memory unit of work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hub.core.model.events import (
    ButtonClicked,
    DeliveryReported,
    MemberJoined,
    MemberLeft,
    OptedIn,
    OptedOut,
)
from hub.core.usecases.choices import CHOICES_VALID_FOR, as_choice
from hub.core.usecases.inbound import (
    first_time,
    private_link,
    replied_to,
    resolve_member,
    track_presence,
)
from hub.core.usecases.reports import REPORT_RACE, DeliveryNotYetRecorded, record_report
from hub.core.usecases.turn import Turn
from tests.core.pipeline.support import (
    COMMUNITY,
    NOW,
    ZOE,
    TestRitual,
    capabilities,
    message,
    runtime_of,
    turn_of,
    wiring_of,
)


def a_turn(tmp_path: Path, **platform: object) -> Turn:
    return turn_of(wiring_of(runtime_of(tmp_path, TestRitual()), capabilities(**platform)))


def presence(kind: type, **fields: object) -> object:
    base = {"community_id": COMMUNITY, "platform": "webchat", "actor": ZOE, "occurred_at": NOW}
    return kind(**{"event_id": "p1", "space": "main", **base, **fields})


def report(status: str, **fields: object) -> DeliveryReported:
    base = {"event_id": "r1", "community_id": COMMUNITY, "platform": "webchat", "space": None}
    return DeliveryReported(
        **base, actor=ZOE, occurred_at=fields.pop("at", NOW), message_id="pm-9", status=status,
        **fields,
    )  # fmt: skip


# --- dedupe ---------------------------------------------------------------------------------


def test_an_event_is_handled_the_first_time_only(tmp_path: Path) -> None:
    turn = a_turn(tmp_path)
    assert first_time(turn, message("hi"))
    assert not first_time(turn, message("hi"))
    assert first_time(turn, message("hi", event_id="m2"))


# --- resolve member -------------------------------------------------------------------------


def test_the_member_is_created_once_and_a_private_message_opens_the_private_chat(
    tmp_path: Path,
) -> None:
    turn = a_turn(tmp_path)
    first = resolve_member(turn, message("hi"))
    assert not turn.uow.members.private_chat_open(ZOE)
    again = resolve_member(turn, message("psst", event_id="m2", space=None))
    assert again.id == first.id and again.identities == (ZOE,)
    assert turn.uow.members.private_chat_open(ZOE)


# --- presence and opt-out -------------------------------------------------------------------


def test_joining_and_leaving_a_space_is_kept(tmp_path: Path) -> None:
    turn = a_turn(tmp_path)
    resolve_member(turn, message("hi"))
    track_presence(turn, presence(MemberJoined))
    assert turn.uow.members.account(ZOE).spaces == {"main"}
    track_presence(turn, presence(MemberLeft, event_id="p2"))
    assert turn.uow.members.account(ZOE).spaces == set()


def test_opting_out_skips_what_waits_and_opting_in_makes_the_account_reachable(
    tmp_path: Path,
) -> None:
    turn = a_turn(tmp_path)
    resolve_member(turn, message("hi"))
    waiting = turn.uow.sent.add(
        ritual="t", platform="webchat", address="u-zoe", idempotency_key="k"
    )
    assert track_presence(turn, presence(OptedOut)) == []
    assert turn.uow.members.account(ZOE).opted_out_at == NOW
    assert waiting.state == "skipped"
    track_presence(turn, presence(OptedIn, event_id="p2"))
    assert turn.uow.members.account(ZOE).opted_out_at is None


def test_a_member_writing_releases_what_was_held_only_where_the_platform_holds(
    tmp_path: Path,
) -> None:
    for hold, released in ((None, []), (timedelta(days=7), [1])):
        turn = a_turn(tmp_path, hold_outside_window=hold)
        turn.uow.sent.add(
            ritual="t", platform="webchat", address="u-zoe", idempotency_key="k", state="held"
        )
        assert track_presence(turn, message("back")) == released


# --- delivery reports -----------------------------------------------------------------------


def test_a_report_before_the_send_is_recorded_is_retried_then_dropped(tmp_path: Path) -> None:
    turn = a_turn(tmp_path)
    with pytest.raises(DeliveryNotYetRecorded):
        record_report(turn, report("delivered"))
    record_report(turn, report("delivered", at=NOW - REPORT_RACE))  # too old: dropped quietly


def test_statuses_only_move_forward(tmp_path: Path) -> None:
    turn = a_turn(tmp_path)
    sent = turn.uow.sent.add(
        ritual="t", platform="webchat", address="u-zoe", idempotency_key="k",
        platform_message_id="pm-9", state="sent",
    )  # fmt: skip
    record_report(turn, report("read"))
    record_report(turn, report("delivered"))
    assert sent.platform_status == "read"


def test_a_failure_outside_the_window_is_held_where_the_platform_holds(tmp_path: Path) -> None:
    turn = a_turn(tmp_path, hold_outside_window=timedelta(days=7))
    sent = turn.uow.sent.add(
        ritual="t", platform="webchat", address="u-zoe", idempotency_key="k",
        platform_message_id="pm-9", state="sent",
    )  # fmt: skip
    record_report(turn, report("failed", reason="63016", outside_window=True))
    assert (sent.state, sent.platform_message_id) == ("held", None)
    assert sent.last_error == "63016 (held until the member writes again)"


def test_a_failure_that_can_never_reach_the_account_marks_it_unreachable(tmp_path: Path) -> None:
    turn = a_turn(tmp_path)
    member = resolve_member(turn, message("hi"))
    sent = turn.uow.sent.add(
        ritual="t", platform="webchat", address="u-zoe", idempotency_key="k",
        platform_message_id="pm-9", state="sent", member_id=member.id,
    )  # fmt: skip
    record_report(turn, report("failed", reason="blocked", recipient_unreachable=True))
    assert (sent.state, sent.permanent) == ("failed", True)
    assert not turn.uow.members.account(ZOE).reachable


# --- numbered choices -----------------------------------------------------------------------


def offered(turn: Turn, sent_at: object = NOW) -> None:
    turn.uow.sent.add(
        ritual="poll", platform="webchat", address="u-zoe", idempotency_key="k", state="sent",
        sent_at=sent_at, platform_message_id="pm-poll",
        payload={"choices": [["vote", "a"], ["vote", "b"]]},
    )  # fmt: skip


def test_a_bare_number_presses_the_button_it_stands_for(tmp_path: Path) -> None:
    turn = a_turn(tmp_path, buttons=False)
    offered(turn)
    pressed = as_choice(turn, message(" 2) "))
    assert isinstance(pressed, ButtonClicked)
    assert (pressed.action, pressed.value, pressed.message_id) == ("vote", "b", "pm-poll")


def test_a_number_is_only_a_number_out_of_range_too_late_or_where_buttons_exist(
    tmp_path: Path,
) -> None:
    turn = a_turn(tmp_path, buttons=False)
    offered(turn, sent_at=NOW - CHOICES_VALID_FOR - timedelta(seconds=1))
    assert not isinstance(as_choice(turn, message("1")), ButtonClicked)
    offered(turn)
    assert not isinstance(as_choice(turn, message("3")), ButtonClicked)
    assert not isinstance(as_choice(turn, message("one")), ButtonClicked)
    with_buttons = a_turn(tmp_path, buttons=True)
    offered(with_buttons)
    assert not isinstance(as_choice(with_buttons, message("1")), ButtonClicked)


# --- replied-to and private link ------------------------------------------------------------


def test_a_reply_to_one_of_the_hubs_messages_names_its_ritual_and_key(tmp_path: Path) -> None:
    turn = a_turn(tmp_path)
    turn.uow.sent.add(
        ritual="icebreaker", platform="webchat", address="salon", state="sent",
        idempotency_key="occurrence:7|icebreaker:question|salon|0", platform_message_id="pm-q",
    )  # fmt: skip
    found = replied_to(turn, message("my answer", reply_to="pm-q"))
    assert found is not None
    assert (found.ritual, found.outbound_key, found.cause) == (
        "icebreaker",
        "icebreaker:question",
        "occurrence:7",
    )
    assert replied_to(turn, message("nothing", event_id="m2", reply_to="pm-unknown")) is None


def test_the_private_link_is_offered_until_the_member_opens_the_private_chat(
    tmp_path: Path,
) -> None:
    turn = a_turn(tmp_path, private_needs_opt_in=True, private_chat_link="https://t.me/hub")
    resolve_member(turn, message("hi"))
    assert private_link(turn, message("hi")) == "https://t.me/hub"
    resolve_member(turn, message("psst", event_id="m2", space=None))
    assert private_link(turn, message("hi")) is None
