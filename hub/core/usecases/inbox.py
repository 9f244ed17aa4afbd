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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from hub.core.model.cleaning import clean_event
from hub.core.model.events import Event, event_from_json, event_to_json
from hub.core.storage.db import Database
from hub.core.storage.orm import InboxRow
from hub.core.storage.sql import insert_if_absent

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 5
STALE_AFTER = timedelta(seconds=30)
"""A pending row this old was probably never queued (broker down): hand it over again."""


class NotYet(Exception):
    """The event came before what it is about (a delivery report before the send is recorded):
    try again soon, without counting a failed attempt."""


class InboxUnavailable(Exception):
    """The event could not be stored: the platform must be asked to send it again later."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetter:
    """An inbound event the pipeline could not process, for the owner to see."""

    id: int
    community_id: str
    platform: str
    kind: str
    event_id: str
    attempts: int
    last_error: str | None
    received_at: datetime


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Inbox:
    """Stores inbound events, hands them to the pipeline, records their fate."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = _utcnow) -> None:
        self.database = database
        self.clock = clock

    def accept(self, event: Event) -> int | None:
        """Clean and store `event`; its inbox id, or None if it was already received.

        Raises InboundRejected (malformed: a 4xx) or InboxUnavailable (the database is down:
        the platform should retry)."""
        event = clean_event(event)
        now = self.clock()
        values = {
            "community_id": event.community_id,
            "event_id": event.event_id,
            "platform": event.platform,
            "user_id": event.actor.user_id,
            "kind": event.kind,
            "event": event_to_json(event),
            "state": "pending",
            "attempts": 0,
            "received_at": now,
            "updated_at": now,
        }
        try:
            with self.database.transaction() as session:
                inserted = insert_if_absent(session, InboxRow.__table__, values)  # type: ignore[arg-type]
                if not inserted:
                    return None
                return session.scalars(
                    select(InboxRow.id).where(
                        InboxRow.community_id == event.community_id,
                        InboxRow.event_id == event.event_id,
                    )
                ).one()
        except SQLAlchemyError as error:
            log.error("inbox.unavailable", error=type(error).__name__, platform=event.platform)
            raise InboxUnavailable(type(error).__name__) from None

    def process(self, inbox_id: int, handle: Callable[[Event], list[int]]) -> list[int]:
        """Run `handle` on a pending row's event; mark it done, or record why it failed.

        Returns what `handle` returned (delivery ids). A failure is re-raised, for the queue to
        retry, until the row's last attempt: then it becomes a dead letter and [] is returned.
        """
        try:
            event = self._pending(inbox_id)
            if event is None:
                return []
            result = handle(event)
        except NotYet:
            raise
        except Exception as error:
            if self._failed(inbox_id, error):
                return []
            raise
        self._done(inbox_id)
        return result

    def _pending(self, inbox_id: int) -> Event | None:
        with self.database.transaction() as session:
            row = session.get(InboxRow, inbox_id)
            if row is None or row.state != "pending":
                return None
            return event_from_json(row.event)

    def _failed(self, inbox_id: int, error: Exception) -> bool:
        """Count a failed attempt; True once it was the last (the row is now a dead letter)."""
        with self.database.transaction() as session:
            row = session.get(InboxRow, inbox_id)
            if row is None:
                return True
            row.attempts += 1
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            row.updated_at = self.clock()
            if row.attempts < MAX_ATTEMPTS:
                return False
            row.state = "dead"
        log.error(
            "inbox.dead_letter",
            inbox_id=inbox_id,
            error=type(error).__name__,
            hint="see `hub inbox`; `hub inbox retry ID` once the cause is fixed",
        )
        return True

    def _done(self, inbox_id: int) -> None:
        """Processed: the row keeps its ids (for duplicates) but not what the member wrote."""
        with self.database.transaction() as session:
            session.execute(
                update(InboxRow)
                .where(InboxRow.id == inbox_id)
                .values(state="done", event={}, updated_at=self.clock())
            )

    def stale(self, limit: int = 500) -> list[int]:
        """Pending rows nobody took for a while; marked as handed over again, oldest first."""
        now = self.clock()
        with self.database.transaction() as session:
            ids = list(
                session.scalars(
                    select(InboxRow.id)
                    .where(InboxRow.state == "pending", InboxRow.updated_at < now - STALE_AFTER)
                    .order_by(InboxRow.id)
                    .limit(limit)
                )
            )
            if ids:
                session.execute(update(InboxRow).where(InboxRow.id.in_(ids)).values(updated_at=now))
        return ids

    def dead_letters(self, community_id: str | None = None) -> list[DeadLetter]:
        """Every dead letter (of one community), oldest first."""
        query = select(InboxRow).where(InboxRow.state == "dead").order_by(InboxRow.id)
        if community_id is not None:
            query = query.where(InboxRow.community_id == community_id)
        with self.database.transaction() as session:
            return [
                DeadLetter(
                    id=row.id,
                    community_id=row.community_id,
                    platform=row.platform,
                    kind=row.kind,
                    event_id=row.event_id,
                    attempts=row.attempts,
                    last_error=row.last_error,
                    received_at=row.received_at,
                )
                for row in session.scalars(query)
            ]

    def retry(self, ids: list[int]) -> list[int]:
        """Give dead letters a new set of attempts; the ids that were dead."""
        with self.database.transaction() as session:
            found = list(
                session.scalars(
                    select(InboxRow.id).where(InboxRow.id.in_(ids), InboxRow.state == "dead")
                )
            )
            session.execute(
                update(InboxRow)
                .where(InboxRow.id.in_(found))
                .values(state="pending", attempts=0, updated_at=self.clock())
            )
        return found
