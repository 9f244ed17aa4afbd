"""The deliveries' state machine in SQL: every transition is one conditional update.

A worker holds a delivery while it is `sending` under the attempt number it claimed it with
(the lease's fencing token): postponing, releasing, failing or marking it sent only apply if the
row is still `sending` under that number. So an opt-out or a forget-me that skipped the row
meanwhile wins, and a worker whose lease ran out cannot overwrite the next one's outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Connection, Row, Table, bindparam, select, update
from sqlalchemy.orm import Session

from hub.core.model.deliveries import Delivery, DeliveryState, Destination, SentRef
from hub.core.ports.delivery_store import Sent, Unclaimed
from hub.core.storage.db import Database
from hub.core.storage.orm import AddressMoveRow, DeliveryRow
from hub.core.storage.repositories.members import mark_unreachable
from hub.core.storage.repositories.people import scrub_sent
from hub.core.storage.sql import insert_if_absent

_CLAIMABLE = (DeliveryState.QUEUED.value, DeliveryState.SENDING.value)
_CHUNK = 500  # ids per query, well under every database's parameter limit
_TABLE: Table = DeliveryRow.__table__  # type: ignore[assignment]
_FINISHED = tuple(
    _TABLE.c[name]
    for name in (
        "id",
        "idempotency_key",
        "part",
        "next_part",
        "forget_when_sent",
        "created_at",
        "member_id",
        "platform",
    )
)
_CLAIMED = tuple(
    _TABLE.c[name]
    for name in (
        "id",
        "idempotency_key",
        "community_id",
        "platform",
        "address",
        "private",
        "member_id",
        "space",
        "payload",
        "state",
        "attempts",
    )
)


# The claim is the hot path: built once, bound per call.
_CLAIM = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("claimed_id"),
        _TABLE.c.state.in_(_CLAIMABLE),
        (_TABLE.c.lease_until.is_(None)) | (_TABLE.c.lease_until <= bindparam("now")),
    )
    .values(
        state=DeliveryState.SENDING.value,
        attempts=_TABLE.c.attempts + 1,
        lease_until=bindparam("until"),
        updated_at=bindparam("now"),
    )
    .returning(*_CLAIMED)
)
_WHY_NOT = select(_TABLE.c.state, _TABLE.c.lease_until).where(
    _TABLE.c.id == bindparam("claimed_id")
)


class DeliveryStore:
    """Reads and moves deliveries; each method is one transaction."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def claim(self, delivery_id: int, now: datetime, lease: timedelta) -> Delivery | Unclaimed:
        """Take a queued delivery (or one whose lease ran out) for one attempt: one statement."""
        with self.database.engine.begin() as connection:
            row = connection.execute(
                _CLAIM, {"claimed_id": delivery_id, "now": now, "until": now + lease}
            ).one_or_none()
            if row is not None:
                return _to_delivery(row)
            found = connection.execute(_WHY_NOT, {"claimed_id": delivery_id}).one_or_none()
        if found is None or found.state not in _CLAIMABLE:
            return Unclaimed(done=True)  # sent, failed, skipped, uncertain; held or waiting
        return Unclaimed(done=False, until=found.lease_until)

    def destinations(self, delivery_ids: Sequence[int]) -> dict[int, Destination]:
        """Where each of these deliveries goes, read in chunks (the fan-out just planned)."""
        found: dict[int, Destination] = {}
        with self.database.engine.connect() as connection:
            for start in range(0, len(delivery_ids), _CHUNK):
                chunk = list(delivery_ids[start : start + _CHUNK])
                rows = connection.execute(select(*_CLAIMED).where(_TABLE.c.id.in_(chunk)))
                found |= {row.id: _to_delivery(row).destination for row in rows}
        return found

    def postpone(self, delivery: Delivery, until: datetime, now: datetime) -> bool:
        """Back to queued until its reserved slot; pacing is not a failed attempt."""
        return self._transition(
            delivery,
            now,
            state=DeliveryState.QUEUED.value,
            attempts=_TABLE.c.attempts - 1,
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
        with self.database.engine.begin() as connection:
            row = _finish(
                connection,
                delivery,
                now,
                state=DeliveryState.SENT.value,
                platform_message_id=ref.message_id,
                sent_at=now,
                last_error=None,
            )
            if row is None:
                return None
            released = _next_part(connection, row, now)
            _scrub_if_goodbye(connection, row)
            return Sent(created_at=row.created_at, released=released)

    def mark_uncertain(self, delivery: Delivery, reason: str, now: datetime) -> tuple[int, ...]:
        """Maybe sent: final, never sent again; the next part follows as if it was."""
        with self.database.engine.begin() as connection:
            row = _finish(
                connection,
                delivery,
                now,
                state=DeliveryState.UNCERTAIN.value,
                last_error=reason[:2000],
            )
            if row is None:
                return ()
            released = _next_part(connection, row, now)
            _scrub_if_goodbye(connection, row)
            return released

    def fail(
        self, delivery: Delivery, reason: str, now: datetime, *, permanent: bool, unreachable: bool
    ) -> bool:
        """Failed for good; the parts after it are skipped, and the member marked unreachable on
        this platform only when the platform said they cannot be written to."""
        with self.database.engine.begin() as connection:
            row = _finish(
                connection,
                delivery,
                now,
                state=DeliveryState.FAILED.value,
                permanent=permanent,
                last_error=reason[:2000],
            )
            if row is None:
                return False
            skip_later_parts(connection, row, now)
            _scrub_if_goodbye(connection, row)
            if unreachable and row.member_id is not None:
                with Session(bind=connection) as session:
                    mark_unreachable(session, row.member_id, row.platform, reason)
                    session.flush()
            return True

    def move(self, delivery: Delivery, new_address: str, now: datetime) -> bool:
        """Remember the space's new address and queue this delivery there, attempt not counted."""
        destination = delivery.destination
        with self.database.transaction() as session:
            moved = session.execute(
                update(_TABLE)
                .where(*_held_by(delivery))
                .values(
                    updated_at=now,
                    lease_until=None,
                    state=DeliveryState.QUEUED.value,
                    address=new_address,
                    attempts=_TABLE.c.attempts - 1,
                )
                .returning(_TABLE.c.id)
            ).first()
            if moved is None:
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
        """A transition with nothing else to do: one statement."""
        with self.database.engine.begin() as connection:
            return _finish(connection, delivery, now, **values) is not None


def _finish(
    connection: Connection, delivery: Delivery, now: datetime, **values: object
) -> Row[Any] | None:
    """Apply `values` if this worker still holds the delivery; what the next steps need."""
    return connection.execute(
        update(_TABLE)
        .where(*_held_by(delivery))
        .values(updated_at=now, lease_until=values.pop("lease_until", None), **values)
        .returning(*_FINISHED)
    ).one_or_none()


def _scrub_if_goodbye(connection: Connection, row: Row[Any]) -> None:
    """A goodbye to a forgotten member keeps neither address nor text once it is done."""
    if row.forget_when_sent:
        with Session(bind=connection) as session:
            scrub_sent(session.get_one(DeliveryRow, row.id))
            session.flush()


def _held_by(delivery: Delivery) -> tuple[ColumnElement[bool], ...]:
    return (
        _TABLE.c.id == delivery.id,
        _TABLE.c.state == DeliveryState.SENDING.value,
        _TABLE.c.attempts == delivery.attempts,
    )


class _Part(Protocol):
    """What finding a message's later parts needs of a row (an ORM row or a returned one)."""

    @property
    def idempotency_key(self) -> str: ...
    @property
    def part(self) -> int: ...
    @property
    def next_part(self) -> bool: ...


def _later_parts(row: _Part) -> tuple[ColumnElement[bool], ...]:
    """The rows of the same message to the same place, after this part."""
    prefix = row.idempotency_key.rsplit("|", 1)[0] + "|"
    return (
        _TABLE.c.idempotency_key.startswith(prefix, autoescape=True),
        _TABLE.c.part > row.part,
        _TABLE.c.state == DeliveryState.WAITING.value,
    )


def _next_part(connection: Connection, row: _Part, now: datetime) -> tuple[int, ...]:
    if not row.next_part:
        return ()
    released = connection.execute(
        update(_TABLE)
        .where(*_later_parts(row), _TABLE.c.part == row.part + 1)
        .values(state=DeliveryState.QUEUED.value, lease_until=None, updated_at=now)
        .returning(_TABLE.c.id)
    )
    return tuple(released.scalars())


def skip_later_parts(connection: Connection | Session, row: _Part, now: datetime) -> None:
    """The parts waiting for this one will not be sent: it failed or was dropped."""
    if row.next_part:
        connection.execute(
            update(_TABLE)
            .where(*_later_parts(row))
            .values(
                state=DeliveryState.SKIPPED.value,
                last_error=f"part {row.part + 1} of this message was not sent: nor is the rest",
                updated_at=now,
            )
        )


def _to_delivery(row: Row[Any]) -> Delivery:
    destination = Destination(
        community_id=row.community_id,
        platform=row.platform,
        address=row.address,
        private=row.private,
        member_id=row.member_id,
        space=row.space,
    )
    return Delivery(
        id=row.id,
        idempotency_key=row.idempotency_key,
        community_id=row.community_id,
        destination=destination,
        payload=row.payload,
        state=DeliveryState(row.state),
        attempts=row.attempts,
    )
