"""The scheduler's decisions: which occurrences are due, claimed exactly once, and what to resend.

Claims go through the unique (community, ritual, scheduled_at) row: when two schedulers run at
once, the database lets exactly one of them insert it. After downtime, missed occurrences within
the grace period fire once; older ones are recorded as skipped, with a log line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hub.core.community import CommunityRuntime
from hub.core.delivery import DeliveryState
from hub.core.inbox import Inbox
from hub.core.retention import Retention
from hub.core.schedule import occurrences
from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, OccurrenceRow
from hub.core.storage.sql import insert_if_absent

log = structlog.get_logger(__name__)

# How far back the scheduler looks for missed occurrences to report after a long downtime.
MAX_LOOKBACK = timedelta(days=35)
# A claimed occurrence or queued delivery untouched for this long lost its queue message.
STALE_AFTER = timedelta(seconds=60)
# Retention runs at most this often (each run deletes a bounded batch per table).
PRUNE_EVERY = timedelta(minutes=10)


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

    def claim_due(self) -> list[int]:
        """Claim every occurrence due now; returns the ids this scheduler won."""
        now = self.clock()
        won: list[int] = []
        for runtime in self.communities.values():
            grace = runtime.config.scheduler.grace_period
            for enabled in runtime.rituals:
                for name, cron in enabled.schedules.items():
                    with self.database.transaction() as session:
                        won += self._claim_ritual(session, runtime, name, cron, now, grace)
        return won

    def _claim_ritual(
        self,
        session: Session,
        runtime: CommunityRuntime,
        name: str,
        cron: str,
        now: datetime,
        grace: timedelta,
    ) -> list[int]:
        """Claim the due occurrences of one schedule; `name` is the ritual or `ritual:slot`."""
        community = runtime.community
        last = session.scalar(
            select(func.max(OccurrenceRow.scheduled_at)).where(
                OccurrenceRow.community_id == community.id, OccurrenceRow.ritual == name
            )
        )
        start = max(last or now - grace, now - MAX_LOOKBACK)
        won: list[int] = []
        for at in occurrences(cron, community.timezone, start, now):
            late = at < now - grace
            if self._claim(session, community.id, name, at, "skipped" if late else "claimed"):
                if late:
                    log.warning(
                        "occurrence.skipped",
                        community=community.id,
                        ritual=name,
                        scheduled_at=at.isoformat(),
                        reason="older than the grace period",
                    )
                else:
                    won.append(self._occurrence_id(session, community.id, name, at))
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
        """Claimed occurrences that never ran (their queue message was lost): run them again."""
        cutoff = self.clock() - STALE_AFTER
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

    def stale_deliveries(self, limit: int = 1000) -> list[int]:
        """Deliveries nobody is working on although they should be: send them again."""
        cutoff = self.clock() - STALE_AFTER
        pending = or_(
            DeliveryRow.state == DeliveryState.QUEUED.value,
            DeliveryRow.state == DeliveryState.SENDING.value,
        )
        idle = or_(
            and_(DeliveryRow.lease_until.is_(None), DeliveryRow.updated_at < cutoff),
            DeliveryRow.lease_until < cutoff,
        )
        with self.database.transaction() as session:
            return list(session.scalars(select(DeliveryRow.id).where(pending, idle).limit(limit)))


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
