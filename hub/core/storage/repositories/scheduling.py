"""SQL for the scheduler (`hub.core.ports.schedule_store`): occurrences' claims, idle work."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from hub.core.model.deliveries import DeliveryState
from hub.core.ports.schedule_store import Claim, Page, SchedulerStores
from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, OccurrenceRow
from hub.core.storage.repositories.inbox import SqlInbox
from hub.core.storage.repositories.retention import SqlRetention
from hub.core.storage.sql import insert_if_absent


def sql_scheduler_stores(database: Database) -> SchedulerStores:
    """The scheduler's stores, all on `database`."""
    return SchedulerStores(SqlSchedule(database), SqlInbox(database), SqlRetention(database))


class SqlSchedule:
    """Each method one transaction on the database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def last_fired(self) -> dict[tuple[str, str], datetime]:
        """The latest occurrence on record of each (community, ritual): one query for all."""
        last_of = select(
            OccurrenceRow.community_id, OccurrenceRow.ritual, func.max(OccurrenceRow.scheduled_at)
        ).group_by(OccurrenceRow.community_id, OccurrenceRow.ritual)
        with self.database.transaction() as session:
            return {(community, ritual): at for community, ritual, at in session.execute(last_of)}

    def claim(self, claims: Sequence[Claim]) -> list[int | None]:
        """Claim each, in one transaction; its id where this call won it."""
        with self.database.transaction() as session:
            return [self._claim_one(session, claim) for claim in claims]

    def claim_manual(self, claim: Claim) -> int:
        """Record a manual occurrence; its id."""
        with self.database.transaction() as session:
            session.add(
                OccurrenceRow(
                    community_id=claim.community_id,
                    ritual=claim.ritual,
                    scheduled_at=claim.at,
                    state=claim.state,
                    claimed_by=claim.by,
                    claimed_at=claim.claimed_at,
                )
            )
            return _occurrence_id(session, claim)

    def stale_occurrences(self, before: datetime) -> list[int]:
        """Occurrences still claimed since before `before`."""
        query = select(OccurrenceRow.id).where(
            OccurrenceRow.state == "claimed", OccurrenceRow.claimed_at < before
        )
        with self.database.transaction() as session:
            return list(session.scalars(query))

    def idle_deliveries(self, before: datetime, page: Page) -> list[int]:
        """Queued or sending, untouched since `before`, no lease or slot running; id order."""
        query = (
            select(DeliveryRow.id)
            .where(
                *_idle_since(before),
                or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < before),
                DeliveryRow.id > page.after,
            )
            .order_by(DeliveryRow.id)
            .limit(page.limit)
        )
        with self.database.transaction() as session:
            return list(session.scalars(query))

    def requeue_deliveries(
        self, ids: Collection[int], before: datetime, now: datetime
    ) -> list[int]:
        """Mark as requeued those of `ids` still untouched since `before`, in one update."""
        statement = (
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(list(ids)), *_idle_since(before))
            .values(updated_at=now)
            .returning(DeliveryRow.id)
        )
        with self.database.transaction() as session:
            return sorted(session.scalars(statement))

    def _claim_one(self, session: Session, claim: Claim) -> int | None:
        values = {
            "community_id": claim.community_id,
            "ritual": claim.ritual,
            "scheduled_at": claim.at,
            "state": claim.state,
            "claimed_by": claim.by,
            "claimed_at": claim.claimed_at,
        }
        if not insert_if_absent(session, OccurrenceRow.__table__, values):  # type: ignore[arg-type]
            return None
        return _occurrence_id(session, claim)


def _occurrence_id(session: Session, claim: Claim) -> int:
    return session.scalars(
        select(OccurrenceRow.id).where(
            OccurrenceRow.community_id == claim.community_id,
            OccurrenceRow.ritual == claim.ritual,
            OccurrenceRow.scheduled_at == claim.at,
        )
    ).one()


def _idle_since(before: datetime) -> tuple[ColumnElement[bool], ...]:
    """Queued or sending, and not written since `before` (every transition writes updated_at)."""
    pending = DeliveryRow.state.in_([DeliveryState.QUEUED.value, DeliveryState.SENDING.value])
    return pending, DeliveryRow.updated_at < before
