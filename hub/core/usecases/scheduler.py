"""The scheduler's decisions: which occurrences are due, claimed exactly once, and what to resend.

Claims go through the unique (community, ritual, scheduled_at) row: when two schedulers run at
once, the database lets exactly one of them insert it. After downtime, missed occurrences within
the grace period fire once; older ones are recorded as skipped, with a log line. A schedule
with no occurrence on record yet (a fresh database, a ritual just enabled) fires at most the
latest occurrence inside the grace period, never a backlog.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from hub.core.model.community import CommunityRuntime
from hub.core.model.schedule import occurrences
from hub.core.ports.clock import Clock, utcnow
from hub.core.ports.schedule_store import Claim, Page, SchedulerStores
from hub.core.usecases.fire_times import FireTimes, Schedule, schedules_of
from hub.core.usecases.inbox import Inbox
from hub.core.usecases.retention import Retention

log = structlog.get_logger(__name__)

# How far back the scheduler looks for missed occurrences to report after a long downtime.
MAX_LOOKBACK = timedelta(days=35)
# Work untouched for this long may have lost its queue message; the sweeper asks the broker
# before requeueing it. It covers the gap between a commit and the enqueue that follows it (a
# fan-out's messages are sent after its deliveries are committed): see decision 018.
REQUEUE_AFTER = timedelta(seconds=5)
# Candidates read in one page: a page is one query and one conditional update.
REQUEUE_PAGE = 5000
# Retention runs at most this often (each run deletes a bounded batch per table).
PRUNE_EVERY = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class IdleDeliveries:
    """Pending deliveries nobody touched since `before`, in id order: requeue candidates.

    The caller keeps those whose broker message is gone and hands them back to
    `Scheduler.requeue_deliveries`, which only takes rows still untouched since `before`.
    """

    ids: list[int]
    before: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class UpcomingOccurrence:
    """A future firing, for `hub schedule`."""

    community_id: str
    ritual: str
    at: datetime
    timezone: str


class Scheduler:
    """Claims due occurrences and finds work whose queue message was lost."""

    def __init__(
        self,
        stores: SchedulerStores,
        communities: Mapping[str, CommunityRuntime],
        name: str,
        clock: Clock = utcnow,
    ) -> None:
        self.stores, self.store = stores, stores.schedule
        self.communities = communities
        self.name = name
        self.clock = clock
        self._pruned_at: datetime | None = None
        self._times: FireTimes | None = None

    def claim_due(self) -> list[int]:
        """Claim every occurrence due now; returns the ids this scheduler won.

        Only the schedules whose fire time has come are looked at: the first call reads each
        schedule's last occurrence (one query for all of them) into a heap of fire times, and
        an idle tick after that costs neither a query nor a cron evaluation.
        """
        now = self.clock()
        times = self._times if self._times is not None else self._start(now)
        won: list[int] = []
        while (due := times.pop_due(now)) is not None:
            schedule, first = due
            try:
                later, following = schedule.due_and_next(first, now)
                won += self._claim_schedule(schedule, [first, *later], now)
            except BaseException:
                times.push(schedule, first)  # not claimed: the next tick tries it again
                raise
            times.push(schedule, following)
        return won

    def _start(self, now: datetime) -> FireTimes:
        """Every schedule's first fire time, from the last occurrence each one has on record."""
        last = self.store.last_fired()
        self._times = FireTimes.starting(schedules_of(self.communities), last, now, MAX_LOOKBACK)
        return self._times

    def _claim_schedule(
        self, schedule: Schedule, fired: list[datetime], now: datetime
    ) -> list[int]:
        """Claim a schedule's due fire times, in one transaction; those older than the grace
        period are recorded as skipped."""
        claims = [self._claim(schedule, at, late=at < now - schedule.grace) for at in fired]
        won: list[int] = []
        for claim, occurrence_id in zip(claims, self.store.claim(claims), strict=True):
            if occurrence_id is None:
                continue
            if claim.state == "skipped":
                log.warning(
                    "occurrence.skipped",
                    community=claim.community_id,
                    ritual=claim.ritual,
                    scheduled_at=claim.at.isoformat(),
                    reason="older than the grace period",
                )
            else:
                won.append(occurrence_id)
        return won

    def _claim(self, schedule: Schedule, at: datetime, *, late: bool) -> Claim:
        return Claim(
            community_id=schedule.community_id,
            ritual=schedule.name,
            at=at,
            state="skipped" if late else "claimed",
            by=self.name,
            claimed_at=self.clock(),
        )

    def fire_now(self, community_id: str, ritual: str) -> int:
        """Claim a manual occurrence now (`hub ritual run`)."""
        now = self.clock()
        claim = Claim(
            community_id=community_id,
            ritual=ritual,
            at=now,
            state="claimed",
            by="manual",
            claimed_at=now,
        )
        return self.store.claim_manual(claim)

    def stale_occurrences(self) -> list[int]:
        """Claimed occurrences that have not run for a while: candidates to run again, if the
        broker no longer holds their message (running one twice does nothing)."""
        return self.store.stale_occurrences(self.clock() - REQUEUE_AFTER)

    def prune_due(self) -> dict[str, int]:
        """Apply the retention periods, at most every PRUNE_EVERY; rows deleted by table."""
        now = self.clock()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return {}
        self._pruned_at = now
        return Retention(self.stores.retention, self.communities, self.clock).prune()

    def stale_inbox(self) -> list[int]:
        """Inbound events kept but never taken (the broker was down): hand them over again."""
        return Inbox(self.stores.inbox, self.clock).stale()

    def stale_deliveries(self, after: int = 0, limit: int = REQUEUE_PAGE) -> IdleDeliveries:
        """Deliveries that should be moving (queued or sending) but nobody touched for
        REQUEUE_AFTER, with no lease or reserved slot still running: their broker message may
        be lost. Waiting and held deliveries are queued by others when their time comes.

        One page of ids above `after`; an empty page costs one indexed query.
        """
        before = self.clock() - REQUEUE_AFTER
        return IdleDeliveries(self.store.idle_deliveries(before, Page(after, limit)), before)

    def requeue_deliveries(self, idle: IdleDeliveries, ids: Collection[int]) -> list[int]:
        """Mark `ids` (of `idle`) as requeued now; the ids this scheduler won.

        The update only takes rows still untouched since `idle.before`: a worker that claimed
        one meanwhile (so its message existed after all) or another scheduler that requeued it
        first wins, and this scheduler sends nothing for it.
        """
        if not ids:
            return []
        return self.store.requeue_deliveries(ids, idle.before, self.clock())


def upcoming(
    communities: Mapping[str, CommunityRuntime], start: datetime, days: int
) -> list[UpcomingOccurrence]:
    """Every occurrence of every scheduled ritual in the next `days` days, in time order."""
    until = start + timedelta(days=days)
    found = [
        UpcomingOccurrence(
            community_id=r.community.id, ritual=name, at=at, timezone=r.community.timezone
        )
        for r in communities.values()
        for e in r.rituals
        for name, cron in e.schedules.items()
        for at in occurrences(cron, r.community.timezone, start, until)
    ]
    return sorted(found, key=lambda o: (o.at, o.community_id, o.ritual))
