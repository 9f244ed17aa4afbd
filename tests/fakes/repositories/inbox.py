"""In-memory fake of the inbox's storage (`hub.core.ports.InboxStore`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.core.ports.inbox_store import DeadLetter, Failure, InboxEntry, InboxUnavailable


@dataclass(slots=True, kw_only=True)
class FakeInboxRow:
    """A kept event and its fate."""

    id: int
    entry: InboxEntry
    event: dict[str, Any]
    state: str
    received_at: datetime
    updated_at: datetime
    attempts: int = 0
    last_error: str | None = None


class FakeInbox:
    """Entries in a dict by id; `down` makes every write fail as a database that is down."""

    def __init__(self) -> None:
        self.rows: dict[int, FakeInboxRow] = {}
        self.down = False

    def add(self, entry: InboxEntry, now: datetime) -> int | None:
        if self.down:
            raise InboxUnavailable("OperationalError")
        if any(
            (r.entry.community_id, r.entry.event_id) == (entry.community_id, entry.event_id)
            for r in self.rows.values()
        ):
            return None
        row_id = len(self.rows) + 1
        self.rows[row_id] = FakeInboxRow(
            id=row_id,
            entry=entry,
            event=entry.event,
            state="pending",
            received_at=now,
            updated_at=now,
        )
        return row_id

    def pending(self, inbox_id: int) -> dict[str, Any] | None:
        row = self.rows.get(inbox_id)
        return row.event if row is not None and row.state == "pending" else None

    def fail(self, inbox_id: int, failure: Failure) -> bool:
        row = self.rows.get(inbox_id)
        if row is None:
            return True
        row.attempts += 1
        row.last_error, row.updated_at = failure.error, failure.at
        if row.attempts < failure.max_attempts:
            return False
        row.state = "dead"
        return True

    def done(self, inbox_id: int, now: datetime) -> None:
        row = self.rows[inbox_id]
        row.state, row.event, row.updated_at = "done", {}, now

    def stale(self, before: datetime, now: datetime, limit: int) -> list[int]:
        found = sorted(
            i for i, r in self.rows.items() if r.state == "pending" and r.updated_at < before
        )[:limit]
        for i in found:
            self.rows[i].updated_at = now
        return found

    def dead_letters(self, community_id: str | None) -> list[DeadLetter]:
        return [
            DeadLetter(
                id=r.id,
                community_id=r.entry.community_id,
                platform=r.entry.platform,
                kind=r.entry.kind,
                event_id=r.entry.event_id,
                attempts=r.attempts,
                last_error=r.last_error,
                received_at=r.received_at,
            )
            for _, r in sorted(self.rows.items())
            if r.state == "dead" and community_id in (None, r.entry.community_id)
        ]

    def retry(self, ids: Collection[int], now: datetime) -> list[int]:
        found = [i for i in sorted(self.rows) if i in ids and self.rows[i].state == "dead"]
        for i in found:
            row = self.rows[i]
            row.state, row.attempts, row.updated_at = "pending", 0, now
        return found
