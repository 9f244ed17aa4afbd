"""What the scheduler needs from storage: claims of occurrences, and work that stopped moving.

Not bound to one community: one scheduler serves every community. Each method is one
transaction. Storage implements it in `hub.core.storage.repositories.scheduling`, the tests'
fake in `tests/fakes/repositories/scheduling.py`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from hub.core.ports.inbox_store import InboxStore
from hub.core.ports.retention_store import RetentionStore


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One occurrence a scheduler claims: the unique (community, ritual, at) decides who wins."""

    community_id: str
    ritual: str
    at: datetime
    state: Literal["claimed", "skipped"]
    by: str
    claimed_at: datetime


@dataclass(frozen=True, slots=True)
class Page:
    """One page of delivery ids above `after`."""

    after: int
    limit: int


class ScheduleStore(Protocol):
    """Occurrences claimed once, and pending work nobody touched for a while."""

    def last_fired(self) -> dict[tuple[str, str], datetime]:
        """The latest occurrence on record of each (community, ritual)."""
        ...

    def claim(self, claims: Sequence[Claim]) -> list[int | None]:
        """Claim each, in one transaction; for each, its id if this call won it, else None."""
        ...

    def claim_manual(self, claim: Claim) -> int:
        """Record a manual occurrence (`hub ritual run`); its id."""
        ...

    def stale_occurrences(self, before: datetime) -> list[int]:
        """Occurrences still claimed since before `before`."""
        ...

    def idle_deliveries(self, before: datetime, page: Page) -> list[int]:
        """Queued or sending deliveries untouched since `before`, with no lease or slot still
        running, in id order."""
        ...

    def requeue_deliveries(
        self, ids: Collection[int], before: datetime, now: datetime
    ) -> list[int]:
        """Mark as requeued now those of `ids` still untouched since `before`; those ids."""
        ...


@dataclass(frozen=True, slots=True)
class SchedulerStores:
    """Everything the scheduler reads and writes: its claims, the inbox it sweeps, retention."""

    schedule: ScheduleStore
    inbox: InboxStore
    retention: RetentionStore
