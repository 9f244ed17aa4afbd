"""Repositories the outbox planner and the occurrences need.

Storage implements them in `hub.core.storage.repositories.outbox`, the tests' fakes in
`tests/fakes/repositories/outbox.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class Outbox(Protocol):
    """Planned deliveries of one community: written by the planner, skipped, held, released."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OccurrenceTicket:
    """An occurrence row as the ritual runner reads it."""

    id: int
    ritual: str
    """The occurrence name: the ritual, and its schedule slot after a colon (`points:weekly`)."""
    scheduled_at: datetime
    manual: bool = False


class OccurrenceStore(Protocol):
    """A community's ritual occurrences: the claimed ones to run, and manual firings."""

    def take_claimed(self, occurrence_id: int, now: datetime) -> OccurrenceTicket | None:
        """Lock the occurrence and mark it done, if it is claimed and not yet run; else None."""
        ...

    def add_manual(self, ritual: str, now: datetime, *, done: bool) -> OccurrenceTicket:
        """A firing by hand (`/hub run`, a preview): its row, done at once or left claimed."""
        ...


class OccurrenceLedger(Protocol):
    """What is known of an occurrence before its community's unit of work opens: its community,
    and its attempts, each counted in a transaction of its own (`hub.core.usecases.occurrences`)."""

    def community_of(self, occurrence_id: int) -> str | None:
        """The community the occurrence belongs to, if it exists."""
        ...

    def begin_attempt(self, occurrence_id: int, now: datetime) -> bool:
        """Count one more attempt, committed before the run; False when it must not run."""
        ...

    def record_failure(self, occurrence_id: int, error: BaseException, now: datetime) -> bool:
        """Keep why an attempt failed; True when no attempt is left."""
        ...
