"""SQL for the inbox (`hub.core.ports.inbox_store`): the `inbox` table."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from hub.core.ports.inbox_store import DeadLetter, Failure, InboxEntry, InboxUnavailable
from hub.core.storage.db import Database
from hub.core.storage.orm import InboxRow
from hub.core.storage.sql import insert_if_absent


class SqlInbox:
    """Each method one transaction on the database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, entry: InboxEntry, now: datetime) -> int | None:
        """Keep the entry, pending; its id, or None if it was kept already."""
        values = {
            "community_id": entry.community_id,
            "event_id": entry.event_id,
            "platform": entry.platform,
            "user_id": entry.user_id,
            "kind": entry.kind,
            "event": entry.event,
            "state": "pending",
            "attempts": 0,
            "received_at": now,
            "updated_at": now,
        }
        try:
            with self.database.transaction() as session:
                if not insert_if_absent(session, InboxRow.__table__, values):  # type: ignore[arg-type]
                    return None
                return session.scalars(
                    select(InboxRow.id).where(
                        InboxRow.community_id == entry.community_id,
                        InboxRow.event_id == entry.event_id,
                    )
                ).one()
        except SQLAlchemyError as error:  # the name of the error only: no URL, no value
            raise InboxUnavailable(type(error).__name__) from None

    def pending(self, inbox_id: int) -> dict[str, Any] | None:
        """The event JSON of a pending entry."""
        with self.database.transaction() as session:
            row = session.get(InboxRow, inbox_id)
            return row.event if row is not None and row.state == "pending" else None

    def fail(self, inbox_id: int, failure: Failure) -> bool:
        """Count a failed attempt; True once it was the last, or the entry is gone."""
        with self.database.transaction() as session:
            row = session.get(InboxRow, inbox_id)
            if row is None:
                return True
            row.attempts += 1
            row.last_error, row.updated_at = failure.error, failure.at
            if row.attempts < failure.max_attempts:
                return False
            row.state = "dead"
            return True

    def done(self, inbox_id: int, now: datetime) -> None:
        """Processed: the row keeps its ids, not what the member wrote."""
        with self.database.transaction() as session:
            session.execute(
                update(InboxRow)
                .where(InboxRow.id == inbox_id)
                .values(state="done", event={}, updated_at=now)
            )

    def stale(self, before: datetime, now: datetime, limit: int) -> list[int]:
        """Pending rows untouched since `before`, oldest first, marked as handed over now."""
        with self.database.transaction() as session:
            ids = list(
                session.scalars(
                    select(InboxRow.id)
                    .where(InboxRow.state == "pending", InboxRow.updated_at < before)
                    .order_by(InboxRow.id)
                    .limit(limit)
                )
            )
            if ids:
                session.execute(update(InboxRow).where(InboxRow.id.in_(ids)).values(updated_at=now))
        return ids

    def dead_letters(self, community_id: str | None) -> list[DeadLetter]:
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

    def retry(self, ids: Collection[int], now: datetime) -> list[int]:
        """Dead letters among `ids` get a new set of attempts; the ids that were dead."""
        with self.database.transaction() as session:
            dead = InboxRow.id.in_(list(ids)), InboxRow.state == "dead"
            found = list(session.scalars(select(InboxRow.id).where(*dead)))
            session.execute(
                update(InboxRow)
                .where(InboxRow.id.in_(found))
                .values(state="pending", attempts=0, updated_at=now)
            )
        return found
