"""In-memory fake of the deliveries' state machine (`hub.core.ports.Deliveries`).

One part per message (the parts' chain is storage's, shown in tests/core/test_sending.py); the
claim and its fencing token are kept: a transition applies only while the claim holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from hub.core.model.deliveries import Delivery, DeliveryState, Destination, SentRef
from hub.core.ports.delivery_store import Sent, Unclaimed

CLAIMABLE = (DeliveryState.QUEUED, DeliveryState.SENDING)


@dataclass(slots=True, kw_only=True)
class FakeRow:
    """A delivery and its bookkeeping."""

    delivery: Delivery
    created_at: datetime
    lease_until: datetime | None = None
    last_error: str | None = None
    platform_message_id: str | None = None
    unreachable: bool = False

    @property
    def state(self) -> DeliveryState:
        """Where it stands."""
        return self.delivery.state


class FakeDeliveries:
    """Deliveries in a dict by id."""

    def __init__(self) -> None:
        self.rows: dict[int, FakeRow] = {}
        self.moves: dict[tuple[str, str, str], str] = {}

    def add(self, destination: Destination, payload: dict[str, Any], now: datetime) -> int:
        """Arrange: a queued delivery."""
        delivery_id = len(self.rows) + 1
        delivery = Delivery(
            id=delivery_id,
            idempotency_key=f"cause|key|{destination.address}|0",
            community_id=destination.community_id,
            destination=destination,
            payload=payload,
            state=DeliveryState.QUEUED,
            attempts=0,
        )
        self.rows[delivery_id] = FakeRow(delivery=delivery, created_at=now)
        return delivery_id

    def claim(self, delivery_id: int, now: datetime, lease: timedelta) -> Delivery | Unclaimed:
        row = self.rows.get(delivery_id)
        if row is None or row.state not in CLAIMABLE:
            return Unclaimed(done=True)
        if row.lease_until is not None and row.lease_until > now:
            return Unclaimed(done=False, until=row.lease_until)
        attempts = row.delivery.attempts + 1
        row.delivery = replace(row.delivery, state=DeliveryState.SENDING, attempts=attempts)
        row.lease_until = now + lease
        return row.delivery

    def destinations(self, delivery_ids: Sequence[int]) -> dict[int, Destination]:
        return {i: self.rows[i].delivery.destination for i in delivery_ids if i in self.rows}

    def postpone(self, delivery: Delivery, until: datetime, now: datetime) -> bool:
        return self._move_to(delivery, DeliveryState.QUEUED, until, attempts=-1)

    def release(self, delivery: Delivery, reason: str, until: datetime, now: datetime) -> bool:
        held = self._move_to(delivery, DeliveryState.QUEUED, until)
        if held:
            self.rows[delivery.id].last_error = reason
        return held

    def mark_sent(self, delivery: Delivery, ref: SentRef, now: datetime) -> Sent | None:
        if not self._move_to(delivery, DeliveryState.SENT, None):
            return None
        self.rows[delivery.id].platform_message_id = ref.message_id
        return Sent(created_at=self.rows[delivery.id].created_at, released=())

    def mark_uncertain(self, delivery: Delivery, reason: str, now: datetime) -> tuple[int, ...]:
        if self._move_to(delivery, DeliveryState.UNCERTAIN, None):
            self.rows[delivery.id].last_error = reason
        return ()

    def fail(
        self, delivery: Delivery, reason: str, now: datetime, *, permanent: bool, unreachable: bool
    ) -> bool:
        if not self._move_to(delivery, DeliveryState.FAILED, None):
            return False
        row = self.rows[delivery.id]
        row.last_error, row.unreachable = reason, unreachable
        return True

    def move(self, delivery: Delivery, new_address: str, now: datetime) -> bool:
        if not self._move_to(delivery, DeliveryState.QUEUED, None, attempts=-1):
            return False
        d = delivery.destination
        self.moves[(delivery.community_id, d.platform, d.address)] = new_address
        row = self.rows[delivery.id]
        moved = replace(d, address=new_address)
        row.delivery = replace(row.delivery, destination=moved)
        return True

    def _move_to(
        self, delivery: Delivery, state: DeliveryState, lease: datetime | None, attempts: int = 0
    ) -> bool:
        """Apply only while this claim (its attempt number) holds."""
        row = self.rows.get(delivery.id)
        holds = row is not None and row.state is DeliveryState.SENDING
        if row is None or not holds or row.delivery.attempts != delivery.attempts:
            return False
        row.delivery = replace(row.delivery, state=state, attempts=row.delivery.attempts + attempts)
        row.lease_until = lease
        return True
