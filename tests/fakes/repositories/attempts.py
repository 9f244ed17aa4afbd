"""In-memory fake of occurrences' attempt records (`hub.core.ports.OccurrenceAttempts`)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

from hub.core.ports.attempts_store import AttemptRecord


class FakeOccurrenceAttempts:
    """Records in a dict; a block that raises keeps nothing of what it changed."""

    def __init__(self, *records: AttemptRecord) -> None:
        self.records = {r.id: r for r in records}

    @contextmanager
    def locked(self, occurrence_id: int) -> Iterator[AttemptRecord | None]:
        found = self.records.get(occurrence_id)
        record = copy.copy(found)
        yield record
        if record is not None:
            self.records[occurrence_id] = record


def claimed(
    occurrence_id: int = 1, attempts: int = 0, *, community_id: str = "c", ritual: str = "r"
) -> AttemptRecord:
    """A claimed occurrence (of ritual "r" in community "c" unless told)."""
    return AttemptRecord(
        id=occurrence_id,
        community_id=community_id,
        ritual=ritual,
        state="claimed",
        attempts=attempts,
    )
