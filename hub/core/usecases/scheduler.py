"""The scheduler's decisions: which occurrences are due, claimed exactly once, and what to resend.

Claims go through the unique (community, ritual, scheduled_at) row: when two schedulers run at
once, the database lets exactly one of them insert it. After downtime, missed occurrences within
the grace period fire once; older ones are recorded as skipped, with a log line. A schedule
with no occurrence on record yet (a fresh database, a ritual just enabled) fires at most the
latest occurrence inside the grace period, never a backlog.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from hub.core.model.community import CommunityRuntime
from hub.core.model.deliveries import DeliveryState
from hub.core.model.schedule import occurrences
from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, OccurrenceRow
from hub.core.storage.sql import insert_if_absent
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
        database: Database,
        communities: Mapping[str, CommunityRuntime],
        name: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database = database
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
                with self.database.transaction() as session:
                    won += self._claim_schedule(session, schedule, [first, *later], now)
            except BaseException:
                times.push(schedule, first)  # not claimed: the next tick tries it again
                raise
            times.push(schedule, following)
        return won

    def _start(self, now: datetime) -> FireTimes:
        """Every schedule's first fire time, from the last occurrence each one has on record."""
        last_of = select(
            OccurrenceRow.community_id, OccurrenceRow.ritual, func.max(OccurrenceRow.scheduled_at)
        ).group_by(OccurrenceRow.community_id, OccurrenceRow.ritual)
        with self.database.transaction() as session:
            last = {(community, ritual): at for community, ritual, at in session.execute(last_of)}
        self._times = FireTimes.starting(schedules_of(self.communities), last, now, MAX_LOOKBACK)
        return self._times

    def _claim_schedule(
        self, session: Session, schedule: Schedule, fired: list[datetime], now: datetime
    ) -> list[int]:
        """Claim a schedule's due fire times; those older than the grace period are skipped."""
        won: list[int] = []
        for at in fired:
            late = at < now - schedule.grace
            state = "skipped" if late else "claimed"
            if self._claim(session, schedule.community_id, schedule.name, at, state):
                if late:
                    log.warning(
                        "occurrence.skipped",
                        community=schedule.community_id,
                        ritual=schedule.name,
                        scheduled_at=at.isoformat(),
                        reason="older than the grace period",
                    )
                else:
                    won.append(
                        self._occurrence_id(session, schedule.community_id, schedule.name, at)
                    )
        return won

    def _claim(
        self, session: Session, community_id: str, ritual: str, at: datetime, state: str
    ) -> bool:
        return insert_if_absent(
            session,
            OccurrenceRow.__table__,  # type: ignore[arg-type]
            {
                "community_id": community_id,
                "ritual": ritual,
                "scheduled_at": at,
                "state": state,
                "claimed_by": self.name,
                "claimed_at": self.clock(),
            },
        )

    def _occurrence_id(self, session: Session, community_id: str, ritual: str, at: datetime) -> int:
        return session.scalars(
            select(OccurrenceRow.id).where(
                OccurrenceRow.community_id == community_id,
                OccurrenceRow.ritual == ritual,
                OccurrenceRow.scheduled_at == at,
            )
        ).one()

    def fire_now(self, community_id: str, ritual: str) -> int:
        """Claim a manual occurrence now (`hub ritual run`)."""
        now = self.clock()
        with self.database.transaction() as session:
            self._claim_manual(session, community_id, ritual, now)
            return self._occurrence_id(session, community_id, ritual, now)

    def _claim_manual(
        self, session: Session, community_id: str, ritual: str, now: datetime
    ) -> None:
        session.add(
            OccurrenceRow(
                community_id=community_id,
                ritual=ritual,
                scheduled_at=now,
                state="claimed",
                claimed_by="manual",
                claimed_at=now,
            )
        )

    def stale_occurrences(self) -> list[int]:
        """Claimed occurrences that have not run for a while: candidates to run again, if the
        broker no longer holds their message (running one twice does nothing)."""
        cutoff = self.clock() - REQUEUE_AFTER
        with self.database.transaction() as session:
            return list(
                session.scalars(
                    select(OccurrenceRow.id).where(
                        OccurrenceRow.state == "claimed", OccurrenceRow.claimed_at < cutoff
                    )
                )
            )

    def prune_due(self) -> dict[str, int]:
        """Apply the retention periods, at most every PRUNE_EVERY; rows deleted by table."""
        now = self.clock()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return {}
        self._pruned_at = now
        return Retention(self.database, self.communities, self.clock).prune()

    def stale_inbox(self) -> list[int]:
        """Inbound events kept but never taken (the broker was down): hand them over again."""
        return Inbox(self.database, self.clock).stale()

    def stale_deliveries(self, after: int = 0, limit: int = REQUEUE_PAGE) -> IdleDeliveries:
        """Deliveries that should be moving (queued or sending) but nobody touched for
        REQUEUE_AFTER, with no lease or reserved slot still running: their broker message may
        be lost. Waiting and held deliveries are queued by others when their time comes.

        One page of ids above `after`; an empty page costs one indexed query.
        """
        before = self.clock() - REQUEUE_AFTER
        query = (
            select(DeliveryRow.id)
            .where(
                *_idle_since(before),
                or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < before),
                DeliveryRow.id > after,
            )
            .order_by(DeliveryRow.id)
            .limit(limit)
        )
        with self.database.transaction() as session:
            return IdleDeliveries(list(session.scalars(query)), before)

    def requeue_deliveries(self, idle: IdleDeliveries, ids: Collection[int]) -> list[int]:
        """Mark `ids` (of `idle`) as requeued now; the ids this scheduler won.

        The update only takes rows still untouched since `idle.before`: a worker that claimed
        one meanwhile (so its message existed after all) or another scheduler that requeued it
        first wins, and this scheduler sends nothing for it.
        """
        if not ids:
            return []
        statement = (
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(list(ids)), *_idle_since(idle.before))
            .values(updated_at=self.clock())
            .returning(DeliveryRow.id)
        )
        with self.database.transaction() as session:
            return sorted(session.scalars(statement))


def _idle_since(before: datetime) -> tuple[ColumnElement[bool], ...]:
    """Queued or sending, and not written since `before` (every transition writes updated_at)."""
    pending = DeliveryRow.state.in_([DeliveryState.QUEUED.value, DeliveryState.SENDING.value])
    return pending, DeliveryRow.updated_at < before


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
