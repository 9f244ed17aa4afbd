"""Occurrence attempts: an occurrence that keeps failing ends `failed` instead of running forever.

A claimed occurrence is sent again by the queue's retries and by the scheduler
(`Scheduler.stale_occurrences` picks every row still `claimed` a while after its claim). So an
occurrence whose ritual raises, or whose worker dies while running it, would be run again and
again. Each run therefore counts an attempt first, in its own committed transaction (a worker
killed mid-run has still spent one); once `MAX_ATTEMPTS` are spent the row becomes `failed`,
with its last error, and nothing sends it again. The owner can fire the ritual by hand once the
cause is fixed (`hub ritual run`).
"""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.storage.db import Database
from hub.core.storage.orm import OccurrenceRow

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 5
FINISHED = ("done", "skipped", "failed")
"""An occurrence in one of these states never runs again (and may be pruned)."""


def begin_attempt(database: Database, occurrence_id: int, now: datetime) -> bool:
    """Count one more attempt at a claimed occurrence, committed before it runs.

    False when it must not run: unknown, finished, or out of attempts (it is then `failed`:
    the earlier attempts died without a word, or their failure could not be recorded)."""
    with database.transaction() as session:
        row = _locked(session, occurrence_id)
        if row is None or row.state != "claimed":
            return False
        if row.attempts >= MAX_ATTEMPTS:
            _give_up(row, now, row.last_error or "every attempt ended before it could be recorded")
            return False
        row.attempts += 1
        return True


def record_failure(
    database: Database, occurrence_id: int, error: BaseException, now: datetime
) -> bool:
    """Keep why an attempt failed; True when no attempt is left (the occurrence is `failed`)."""
    with database.transaction() as session:
        row = _locked(session, occurrence_id)
        if row is None or row.state != "claimed":
            return True  # finished meanwhile: nothing to retry
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        if row.attempts < MAX_ATTEMPTS:
            return False
        _give_up(row, now, row.last_error)
        return True


def _locked(session: Session, occurrence_id: int) -> OccurrenceRow | None:
    return session.scalars(
        select(OccurrenceRow).where(OccurrenceRow.id == occurrence_id).with_for_update()
    ).one_or_none()


def _give_up(row: OccurrenceRow, now: datetime, reason: str) -> None:
    row.state, row.done_at, row.last_error = "failed", now, reason
    log.error(
        "occurrence.failed",
        occurrence=row.id,
        community=row.community_id,
        ritual=row.ritual,
        attempts=row.attempts,
        error=reason,
        hint="fix the cause, then `hub ritual run` fires it again",
    )
