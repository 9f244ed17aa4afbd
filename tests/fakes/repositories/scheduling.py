"""In-memory fakes of the scheduler's stores (`hub.core.ports.SchedulerStores`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hub.core.ports.retention_store import Expired
from hub.core.ports.schedule_store import Claim, Page, SchedulerStores
from tests.fakes.repositories.inbox import FakeInbox


@dataclass(slots=True, kw_only=True)
class FakeIdle:
    """A pending delivery as the sweeper sees it: when it was last written, and its lease."""

    updated_at: datetime
    lease_until: datetime | None = None


class FakeSchedule:
    """Occurrences by (community, ritual, at), the unique key that decides a claim."""

    def __init__(self) -> None:
        self.occurrences: dict[tuple[str, str, datetime], tuple[int, Claim]] = {}
        self.deliveries: dict[int, FakeIdle] = {}

    def last_fired(self) -> dict[tuple[str, str], datetime]:
        last: dict[tuple[str, str], datetime] = {}
        for community, ritual, at in self.occurrences:
            last[community, ritual] = max(at, last.get((community, ritual), at))
        return last

    def claim(self, claims: Sequence[Claim]) -> list[int | None]:
        return [self._claim(claim) for claim in claims]

    def claim_manual(self, claim: Claim) -> int:
        won = self._claim(claim)
        assert won is not None, "a manual occurrence at the same instant"
        return won

    def stale_occurrences(self, before: datetime) -> list[int]:
        return [
            i
            for i, claim in self.occurrences.values()
            if claim.state == "claimed" and claim.claimed_at < before
        ]

    def idle_deliveries(self, before: datetime, page: Page) -> list[int]:
        idle = [
            i
            for i, d in sorted(self.deliveries.items())
            if i > page.after
            and d.updated_at < before
            and (d.lease_until is None or d.lease_until < before)
        ]
        return idle[: page.limit]

    def requeue_deliveries(
        self, ids: Collection[int], before: datetime, now: datetime
    ) -> list[int]:
        won = sorted(
            i for i in ids if i in self.deliveries and self.deliveries[i].updated_at < before
        )
        for i in won:
            self.deliveries[i].updated_at = now
        return won

    def _claim(self, claim: Claim) -> int | None:
        key = (claim.community_id, claim.ritual, claim.at)
        if key in self.occurrences:
            return None
        self.occurrences[key] = (len(self.occurrences) + 1, claim)
        return len(self.occurrences)


@dataclass
class FakeRetention:
    """Remembers what it was asked to delete; deletes `rows` of each kind, a batch at a time."""

    rows: dict[str, int] = field(default_factory=dict)
    asked: list[Expired] = field(default_factory=list)

    def delete_batch(self, expired: Expired, batch: int) -> int:
        self.asked.append(expired)
        count = min(batch, self.rows.get(expired.kind, 0))
        self.rows[expired.kind] = self.rows.get(expired.kind, 0) - count
        return count


def fake_scheduler_stores() -> SchedulerStores:
    """The scheduler's stores, in memory."""
    return SchedulerStores(FakeSchedule(), FakeInbox(), FakeRetention())
