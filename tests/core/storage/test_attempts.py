"""`SqlOccurrenceAttempts` on SQLite and PostgreSQL: a locked block's changes are committed."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.core.storage.db import Database
from hub.core.storage.orm import OccurrenceRow
from hub.core.storage.repositories.attempts import SqlOccurrenceAttempts

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_what_the_block_changes_is_kept(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()
    with database.transaction() as session:
        row = OccurrenceRow(
            community_id="c",
            ritual="r",
            scheduled_at=NOW,
            state="claimed",
            claimed_by="t",
            claimed_at=NOW,
        )
        session.add(row)
        session.flush()
        occurrence = row.id
    attempts = SqlOccurrenceAttempts(database)
    with attempts.locked(occurrence) as record:
        assert record is not None and (record.ritual, record.attempts) == ("r", 0)
        record.attempts, record.state, record.last_error, record.done_at = 5, "failed", "e", NOW
    with attempts.locked(occurrence) as again:
        assert again is not None
        assert (again.attempts, again.state, again.last_error) == (5, "failed", "e")
        assert again.done_at is not None
    with attempts.locked(occurrence + 1) as missing:
        assert missing is None
