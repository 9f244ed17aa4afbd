"""SQL for the planner's and occurrences' ports (`hub.core.ports.outbox_store`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hub.core.ports.outbox_store import OccurrenceTicket
from hub.core.storage.db import Database
from hub.core.storage.orm import OccurrenceRow
from hub.core.storage.repositories.base import Repository
from hub.core.usecases import occurrences

MANUAL = "manual"
"""`claimed_by` of an occurrence fired by hand."""


class SqlOutbox(Repository):
    """Planned deliveries (`DeliveryRow`, `AddressMoveRow`)."""


class SqlOccurrences(Repository):
    """Ritual occurrences (`OccurrenceRow`) of one community."""

    def take_claimed(self, occurrence_id: int, now: datetime) -> OccurrenceTicket | None:
        """Lock the claimed occurrence and mark it done; None if unknown, elsewhere or run."""
        row = self.session.scalars(
            select(OccurrenceRow).where(OccurrenceRow.id == occurrence_id).with_for_update()
        ).one_or_none()
        if row is None or row.state != "claimed" or row.community_id != self.community_id:
            return None
        row.state, row.done_at = "done", now
        return _ticket(row)

    def add_manual(self, ritual: str, now: datetime, *, done: bool) -> OccurrenceTicket:
        """A firing by hand, at `now`."""
        row = OccurrenceRow(
            community_id=self.community_id,
            ritual=ritual,
            scheduled_at=now,
            state="done" if done else "claimed",
            claimed_by=MANUAL,
            claimed_at=now,
            done_at=now if done else None,
        )
        self.session.add(row)
        self.session.flush()
        return _ticket(row)


def _ticket(row: OccurrenceRow) -> OccurrenceTicket:
    return OccurrenceTicket(
        id=row.id, ritual=row.ritual, scheduled_at=row.scheduled_at, manual=row.claimed_by == MANUAL
    )


class SqlOccurrenceLedger:
    """The occurrence's community and attempts, each read or counted in its own transaction;
    the attempts are `hub.core.usecases.occurrences`', called as they are."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def community_of(self, occurrence_id: int) -> str | None:
        """The community of the occurrence, if it exists."""
        with self.database.transaction() as session:
            return session.scalar(
                select(OccurrenceRow.community_id).where(OccurrenceRow.id == occurrence_id)
            )

    def begin_attempt(self, occurrence_id: int, now: datetime) -> bool:
        """Count one more attempt, committed before the run."""
        return occurrences.begin_attempt(self.database, occurrence_id, now)

    def record_failure(self, occurrence_id: int, error: BaseException, now: datetime) -> bool:
        """Keep why an attempt failed; True when no attempt is left."""
        return occurrences.record_failure(self.database, occurrence_id, error, now)
