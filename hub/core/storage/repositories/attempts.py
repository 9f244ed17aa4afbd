"""SQL for occurrences' attempt records (`hub.core.ports.attempts_store`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from hub.core.ports.attempts_store import AttemptRecord
from hub.core.storage.db import Database
from hub.core.storage.orm import OccurrenceRow


class SqlOccurrenceAttempts:
    """Each record read `FOR UPDATE` in a transaction of its own, written back when done."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @contextmanager
    def locked(self, occurrence_id: int) -> Iterator[AttemptRecord | None]:
        """The occurrence's record, locked until the block ends; its changes then committed."""
        with self.database.transaction() as session:
            row = session.scalars(
                select(OccurrenceRow).where(OccurrenceRow.id == occurrence_id).with_for_update()
            ).one_or_none()
            if row is None:
                yield None
                return
            record = AttemptRecord(
                id=row.id,
                community_id=row.community_id,
                ritual=row.ritual,
                state=row.state,
                attempts=row.attempts,
                last_error=row.last_error,
                done_at=row.done_at,
            )
            yield record
            row.state, row.attempts = record.state, record.attempts
            row.last_error, row.done_at = record.last_error, record.done_at
