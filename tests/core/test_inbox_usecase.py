"""The inbox's rules against the in-memory store: kept once, done, a dead letter after
MAX_ATTEMPTS, handed over again when stale (the SQL side: tests/core/test_inbox.py and
tests/core/storage/test_inbox_store.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.core.model.domain import Identity
from hub.core.model.events import Event, MessageReceived
from hub.core.usecases.inbox import MAX_ATTEMPTS, STALE_AFTER, Inbox, InboxUnavailable, NotYet
from tests.fakes.repositories.inbox import FakeInbox

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ZOE = Identity(platform="webchat", user_id="u-zoe", display_name="Zoé")


def message(event_id: str = "webchat:message:1", text: str = "Bonjour") -> MessageReceived:
    return MessageReceived(
        event_id=event_id,
        community_id="c",
        platform="webchat",
        space="main",
        actor=ZOE,
        occurred_at=NOW,
        text=text,
        message_id="1-0",
    )


def broken(_: Event) -> list[int]:
    raise RuntimeError("the pipeline broke on this event")


def test_an_event_is_kept_once_then_processed_and_what_it_said_is_let_go() -> None:
    store = FakeInbox()
    inbox = Inbox(store, clock=lambda: NOW)
    first = inbox.accept(message())
    assert first is not None and inbox.accept(message()) is None
    seen: list[Event] = []
    assert inbox.process(first, lambda e: seen.append(e) or [7]) == [7]
    assert [e.event_id for e in seen] == ["webchat:message:1"]
    assert (store.rows[first].state, store.rows[first].event) == ("done", {})
    assert inbox.process(first, broken) == []  # done: not run again


def test_an_event_that_keeps_failing_becomes_a_dead_letter_to_retry() -> None:
    store = FakeInbox()
    inbox = Inbox(store, clock=lambda: NOW)
    kept = inbox.accept(message())
    assert kept is not None
    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(RuntimeError):
            inbox.process(kept, broken)
    assert inbox.process(kept, broken) == []
    (letter,) = inbox.dead_letters()
    assert (letter.attempts, letter.last_error) == (
        MAX_ATTEMPTS,
        "RuntimeError: the pipeline broke on this event",
    )
    assert inbox.dead_letters("other") == []
    assert inbox.retry([kept, 999]) == [kept]
    assert inbox.process(kept, lambda e: []) == [] and store.rows[kept].state == "done"


def test_not_yet_is_retried_without_counting_an_attempt() -> None:
    store = FakeInbox()
    inbox = Inbox(store, clock=lambda: NOW)
    kept = inbox.accept(message())
    assert kept is not None

    def early(_: Event) -> list[int]:
        raise NotYet

    with pytest.raises(NotYet):
        inbox.process(kept, early)
    assert store.rows[kept].attempts == 0


def test_a_store_that_is_down_says_so_to_the_listener() -> None:
    store = FakeInbox()
    store.down = True
    with pytest.raises(InboxUnavailable):
        Inbox(store).accept(message())


def test_a_pending_event_nobody_took_is_handed_over_again_once_stale() -> None:
    store = FakeInbox()
    kept = Inbox(store, clock=lambda: NOW).accept(message())
    assert Inbox(store, clock=lambda: NOW + STALE_AFTER / 2).stale() == []
    later = NOW + STALE_AFTER + timedelta(seconds=1)
    assert Inbox(store, clock=lambda: later).stale() == [kept]
    assert Inbox(store, clock=lambda: later).stale() == []  # handed over: fresh again
