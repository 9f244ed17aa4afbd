"""The deliveries' state machine in SQL: every transition is one conditional update.

A worker holds a delivery while it is `sending` under the attempt number it claimed it with
(the lease's fencing token): postponing, releasing, failing or marking it sent only apply if the
row is still `sending` under that number. So an opt-out or a forget-me that skipped the row
meanwhile wins, and a worker whose lease ran out cannot overwrite the next one's outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from hub.core.delivery import Delivery, DeliveryState, SentRef
from hub.core.forgetting import scrub_sent
from hub.core.members import mark_unreachable
from hub.core.storage.db import Database
from hub.core.storage.orm import AddressMoveRow, DeliveryRow
from hub.core.storage.sql import insert_if_absent

_CLAIMABLE = (DeliveryState.QUEUED.value, DeliveryState.SENDING.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Unclaimed:
    """Why a delivery could not be claimed: it is done, or someone holds it until `until`."""

    done: bool
    until: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Sent:
    """A delivery recorded as sent: when it was planned, and the next part it released."""

    created_at: datetime
    released: tuple[int, ...]


class DeliveryStore:
    """Reads and moves deliveries; each method is one transaction."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def claim(self, delivery_id: int, now: datetime, lease: timedelta) -> Delivery | Unclaimed:
        """Take a queued delivery (or one whose lease ran out) for one attempt."""
        with self.database.transaction() as session:
            row = session.scalars(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id == delivery_id,
                    DeliveryRow.state.in_(_CLAIMABLE),
                    (DeliveryRow.lease_until.is_(None)) | (DeliveryRow.lease_until <= now),
                )
                .values(
                    state=DeliveryState.SENDING.value,
                    attempts=DeliveryRow.attempts + 1,
                    lease_until=now + lease,
                    updated_at=now,
                )
                .returning(DeliveryRow),
                execution_options={"populate_existing": True},
            ).one_or_none()
            if row is not None:
                return _to_delivery(row)
            found = session.execute(
                select(DeliveryRow.state, DeliveryRow.lease_until).where(
                    DeliveryRow.id == delivery_id
                )
            ).one_or_none()
        if found is None or found.state not in _CLAIMABLE:
            return Unclaimed(done=True)  # sent, failed, skipped, uncertain; held or waiting
        return Unclaimed(done=False, until=found.lease_until)

    def postpone(self, delivery: Delivery, until: datetime, now: datetime) -> bool:
        """Back to queued until its reserved slot; pacing is not a failed attempt."""
        return self._transition(
            delivery,
            now,
            state=DeliveryState.QUEUED.value,
            attempts=DeliveryRow.attempts - 1,
            lease_until=until,
        )

    def release(self, delivery: Delivery, reason: str, until: datetime, now: datetime) -> bool:
        """Back to queued after a transient error; nobody takes it before `until`."""
        return self._transition(
            delivery,
            now,
            state=DeliveryState.QUEUED.value,
            last_error=reason[:2000],
            lease_until=until,
        )

    def mark_sent(self, delivery: Delivery, ref: SentRef, now: datetime) -> Sent | None:
        """Record the platform's acceptance; releases the next part. None if the lease was lost."""
        with self.database.transaction() as session:
            row = self._update(
                session,
                delivery,
                now,
                state=DeliveryState.SENT.value,
                platform_message_id=ref.message_id,
                sent_at=now,
                last_error=None,
            )
            if row is None:
                return None
            released = _next_part(session, row, now)
            if row.forget_when_sent:
                scrub_sent(row)
            return Sent(created_at=row.created_at, released=released)

    def mark_uncertain(self, delivery: Delivery, reason: str, now: datetime) -> tuple[int, ...]:
        """Maybe sent: final, never sent again; the next part follows as if it was."""
        with self.database.transaction() as session:
            row = self._update(
                session,
                delivery,
                now,
                state=DeliveryState.UNCERTAIN.value,
                last_error=reason[:2000],
            )
            if row is None:
                return ()
            released = _next_part(session, row, now)
            if row.forget_when_sent:
                scrub_sent(row)
            return released

    def fail(
        self, delivery: Delivery, reason: str, now: datetime, *, permanent: bool, unreachable: bool
    ) -> bool:
        """Failed for good; the parts after it are skipped, and the member marked unreachable on
        this platform only when the platform said they cannot be written to."""
        with self.database.transaction() as session:
            row = self._update(
                session,
                delivery,
                now,
                state=DeliveryState.FAILED.value,
                permanent=permanent,
                last_error=reason[:2000],
            )
            if row is None:
                return False
            skip_later_parts(session, row, now)
            if row.forget_when_sent:
                scrub_sent(row)
            if unreachable and row.member_id is not None:
                mark_unreachable(session, row.member_id, row.platform, reason)
            return True

    def move(self, delivery: Delivery, new_address: str, now: datetime) -> bool:
        """Remember the space's new address and queue this delivery there, attempt not counted."""
        destination = delivery.destination
        with self.database.transaction() as session:
            row = self._update(
                session,
                delivery,
                now,
                state=DeliveryState.QUEUED.value,
                address=new_address,
                attempts=DeliveryRow.attempts - 1,
            )
            if row is None:
                return False
            key = (delivery.community_id, destination.platform, destination.address)
            insert_if_absent(
                session,
                AddressMoveRow.__table__,  # type: ignore[arg-type]
                {
                    "community_id": key[0],
                    "platform": key[1],
                    "old_address": key[2],
                    "new_address": new_address,
                    "moved_at": now,
                },
            )
            session.get_one(AddressMoveRow, key).new_address = new_address
            return True

    def _transition(self, delivery: Delivery, now: datetime, **values: object) -> bool:
        with self.database.transaction() as session:
            return self._update(session, delivery, now, **values) is not None

    def _update(
        self, session: Session, delivery: Delivery, now: datetime, **values: object
    ) -> DeliveryRow | None:
        """Apply `values` if this worker still holds the delivery; the row as it is now."""
        values.setdefault("lease_until", None)
        return session.scalars(
            update(DeliveryRow)
            .where(*_held_by(delivery))
            .values(updated_at=now, **values)
            .returning(DeliveryRow),
            execution_options={"populate_existing": True},
        ).one_or_none()


def _held_by(delivery: Delivery) -> tuple[ColumnElement[bool], ...]:
    return (
        DeliveryRow.id == delivery.id,
        DeliveryRow.state == DeliveryState.SENDING.value,
        DeliveryRow.attempts == delivery.attempts,
    )


def _later_parts(row: DeliveryRow) -> tuple[ColumnElement[bool], ...]:
    """The rows of the same message to the same place, after this part."""
    prefix = row.idempotency_key.rsplit("|", 1)[0] + "|"
    return (
        DeliveryRow.idempotency_key.startswith(prefix, autoescape=True),
        DeliveryRow.part > row.part,
        DeliveryRow.state == DeliveryState.WAITING.value,
    )


def _next_part(session: Session, row: DeliveryRow, now: datetime) -> tuple[int, ...]:
    if not row.next_part:
        return ()
    released = session.scalars(
        update(DeliveryRow)
        .where(*_later_parts(row), DeliveryRow.part == row.part + 1)
        .values(state=DeliveryState.QUEUED.value, lease_until=None, updated_at=now)
        .returning(DeliveryRow.id)
    )
    return tuple(released)


def skip_later_parts(session: Session, row: DeliveryRow, now: datetime) -> None:
    """The parts waiting for this one will not be sent: it failed or was dropped."""
    if row.next_part:
        session.execute(
            update(DeliveryRow)
            .where(*_later_parts(row))
            .values(
                state=DeliveryState.SKIPPED.value,
                last_error=f"part {row.part + 1} of this message was not sent: nor is the rest",
                updated_at=now,
            )
        )


def _to_delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        idempotency_key=row.idempotency_key,
        community_id=row.community_id,
        destination=row.destination(),
        payload=row.payload,
        state=DeliveryState(row.state),
        attempts=row.attempts,
    )
