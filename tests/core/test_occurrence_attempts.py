"""Occurrence attempts against the in-memory records: counted before the run, given up after
`MAX_ATTEMPTS` with the last error (the SQL side: tests/core/storage/test_attempts.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.core.usecases.occurrences import MAX_ATTEMPTS, begin_attempt, record_failure
from tests.fakes.repositories.attempts import FakeOccurrenceAttempts, claimed

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_each_run_counts_an_attempt_until_none_is_left() -> None:
    attempts = FakeOccurrenceAttempts(claimed())
    assert all(begin_attempt(attempts, 1, NOW) for _ in range(MAX_ATTEMPTS))
    assert not begin_attempt(attempts, 1, NOW)  # the earlier attempts died without a word
    record = attempts.records[1]
    assert (record.state, record.attempts, record.done_at) == ("failed", MAX_ATTEMPTS, NOW)
    assert record.last_error == "every attempt ended before it could be recorded"


def test_a_failure_is_kept_and_the_last_one_fails_the_occurrence() -> None:
    attempts = FakeOccurrenceAttempts(claimed(attempts=MAX_ATTEMPTS - 1))
    assert begin_attempt(attempts, 1, NOW)
    assert record_failure(attempts, 1, ValueError("boom"), NOW)
    assert (attempts.records[1].state, attempts.records[1].last_error) == (
        "failed",
        "ValueError: boom",
    )
    assert not begin_attempt(attempts, 1, NOW)


def test_a_failure_with_attempts_left_is_retried() -> None:
    attempts = FakeOccurrenceAttempts(claimed())
    assert begin_attempt(attempts, 1, NOW)
    assert not record_failure(attempts, 1, KeyError("k"), NOW)
    assert attempts.records[1].state == "claimed"


def test_unknown_or_finished_occurrences_do_not_run() -> None:
    done = claimed(2)
    done.state = "done"
    attempts = FakeOccurrenceAttempts(done)
    assert not begin_attempt(attempts, 1, NOW)
    assert not begin_attempt(attempts, 2, NOW)
    assert record_failure(attempts, 2, ValueError("late"), NOW)  # nothing to retry
    assert attempts.records[2].attempts == 0
