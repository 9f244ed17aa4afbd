"""The inbox: an inbound event is durable before the platform hears "received".

Listeners hand every event to `Inbox.accept`, which cleans it (`hub.core.model.cleaning`) and writes
it to the `inbox` table; only then does the web route answer 2xx. The queue message that
follows carries the inbox id, and is only a wake-up call: if the broker is down, the row waits
and the scheduler hands it over again (`stale`), so a Redis restart loses no member's message.
Processing the same row twice is harmless (events are deduplicated by `processed_events`).

An event whose processing keeps failing is retried `MAX_ATTEMPTS` times, then kept as a dead
letter with its last error, for `hub inbox` to show and retry; never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import structlog

from hub.core.model.cleaning import clean_event
from hub.core.model.events import Event, event_from_json, event_to_json
from hub.core.ports.clock import Clock, utcnow
from hub.core.ports.inbox_store import (
    DeadLetter,
    Failure,
    InboxEntry,
    InboxStore,
    InboxUnavailable,
)

__all__ = ["MAX_ATTEMPTS", "DeadLetter", "Inbox", "InboxUnavailable", "NotYet"]
log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 5
STALE_AFTER = timedelta(seconds=30)
"""A pending row this old was probably never queued (broker down): hand it over again."""


class NotYet(Exception):
    """The event came before what it is about (a delivery report before the send is recorded):
    try again soon, without counting a failed attempt."""


class Inbox:
    """Stores inbound events, hands them to the pipeline, records their fate."""

    def __init__(self, store: InboxStore, clock: Clock = utcnow) -> None:
        self.store = store
        self.clock = clock

    def accept(self, event: Event) -> int | None:
        """Clean and store `event`; its inbox id, or None if it was already received.

        Raises InboundRejected (malformed: a 4xx) or InboxUnavailable (the database is down:
        the platform should retry)."""
        event = clean_event(event)
        entry = InboxEntry(
            community_id=event.community_id,
            event_id=event.event_id,
            platform=event.platform,
            user_id=event.actor.user_id,
            kind=event.kind,
            event=event_to_json(event),
        )
        try:
            return self.store.add(entry, self.clock())
        except InboxUnavailable as error:
            log.error("inbox.unavailable", error=str(error), platform=event.platform)
            raise

    def process(self, inbox_id: int, handle: Callable[[Event], list[int]]) -> list[int]:
        """Run `handle` on a pending row's event; mark it done, or record why it failed.

        Returns what `handle` returned (delivery ids). A failure is re-raised, for the queue to
        retry, until the row's last attempt: then it becomes a dead letter and [] is returned.
        """
        try:
            kept = self.store.pending(inbox_id)
            if kept is None:
                return []
            result = handle(event_from_json(kept))
        except NotYet:
            raise
        except Exception as error:
            if self._failed(inbox_id, error):
                return []
            raise
        self.store.done(inbox_id, self.clock())
        return result

    def _failed(self, inbox_id: int, error: Exception) -> bool:
        """Count a failed attempt; True once it was the last (the row is now a dead letter)."""
        reason = f"{type(error).__name__}: {error}"[:2000]
        if not self.store.fail(inbox_id, Failure(reason, self.clock(), MAX_ATTEMPTS)):
            return False
        log.error(
            "inbox.dead_letter",
            inbox_id=inbox_id,
            error=type(error).__name__,
            hint="see `hub inbox`; `hub inbox retry ID` once the cause is fixed",
        )
        return True

    def stale(self, limit: int = 500) -> list[int]:
        """Pending rows nobody took for a while; marked as handed over again, oldest first."""
        now = self.clock()
        return self.store.stale(now - STALE_AFTER, now, limit)

    def dead_letters(self, community_id: str | None = None) -> list[DeadLetter]:
        """Every dead letter (of one community), oldest first."""
        return self.store.dead_letters(community_id)

    def retry(self, ids: list[int]) -> list[int]:
        """Give dead letters a new set of attempts; the ids that were dead."""
        return self.store.retry(ids, self.clock())
