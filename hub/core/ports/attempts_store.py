"""Occurrence attempts, as the ritual runner counts them: one locked record per occurrence.

Not bound to one community (the occurrence says which). Each `locked` block is a transaction
of its own, committed when it ends, so an attempt is counted even when the run that follows
dies. Storage implements it in `hub.core.storage.repositories.attempts`, the tests' fake in
`tests/fakes/repositories/attempts.py`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

FINISHED = ("done", "skipped", "failed")
"""An occurrence in one of these states never runs again (and may be pruned)."""


@dataclass(slots=True, kw_only=True)
class AttemptRecord:
    """What an occurrence keeps of its attempts; the use case changes it in place."""

    id: int
    community_id: str
    ritual: str
    state: str
    attempts: int
    last_error: str | None = None
    done_at: datetime | None = None


class OccurrenceAttempts(Protocol):
    """Occurrences' attempt records, each read and written under a lock."""

    def locked(self, occurrence_id: int) -> AbstractContextManager[AttemptRecord | None]:
        """The occurrence's record (None if unknown), locked; what the block changes to it
        (state, attempts, last_error, done_at) is committed when the block ends."""
        ...
