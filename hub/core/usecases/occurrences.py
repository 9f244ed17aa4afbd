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

from hub.core.ports.attempts_store import FINISHED, AttemptRecord, OccurrenceAttempts

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 5
__all__ = ["FINISHED", "MAX_ATTEMPTS", "begin_attempt", "record_failure"]


def begin_attempt(attempts: OccurrenceAttempts, occurrence_id: int, now: datetime) -> bool:
    """Count one more attempt at a claimed occurrence, committed before it runs.

    False when it must not run: unknown, finished, or out of attempts (it is then `failed`:
    the earlier attempts died without a word, or their failure could not be recorded)."""
    with attempts.locked(occurrence_id) as record:
        if record is None or record.state != "claimed":
            return False
        if record.attempts >= MAX_ATTEMPTS:
            reason = record.last_error or "every attempt ended before it could be recorded"
            _give_up(record, now, reason)
            return False
        record.attempts += 1
        return True


def community_of(attempts: OccurrenceAttempts, occurrence_id: int) -> str | None:
    """The community an occurrence belongs to (None if unknown): read before its community's
    unit of work can open."""
    with attempts.locked(occurrence_id) as record:
        return None if record is None else record.community_id


def record_failure(
    attempts: OccurrenceAttempts, occurrence_id: int, error: BaseException, now: datetime
) -> bool:
    """Keep why an attempt failed; True when no attempt is left (the occurrence is `failed`)."""
    with attempts.locked(occurrence_id) as record:
        if record is None or record.state != "claimed":
            return True  # finished meanwhile: nothing to retry
        record.last_error = f"{type(error).__name__}: {error}"[:2000]
        if record.attempts < MAX_ATTEMPTS:
            return False
        _give_up(record, now, record.last_error)
        return True


def _give_up(record: AttemptRecord, now: datetime, reason: str) -> None:
    record.state, record.done_at, record.last_error = "failed", now, reason
    log.error(
        "occurrence.failed",
        occurrence=record.id,
        community=record.community_id,
        ritual=record.ritual,
        attempts=record.attempts,
        error=reason,
        hint="fix the cause, then `hub ritual run` fires it again",
    )
