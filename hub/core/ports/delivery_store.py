"""The deliveries' state machine, as sending sees it: claim, postpone, release, finish.

Not bound to one community: a worker sends whatever delivery the queue hands it. Each method
is one transaction of its own, and every transition after the claim applies only while the
claim holds (the attempt number is the lease's fencing token). Storage implements it in
`hub.core.storage.deliveries.DeliveryStore`, the tests' fake in
`tests/fakes/repositories/deliveries.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from hub.core.model.deliveries import Delivery, Destination, SentRef


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


class Deliveries(Protocol):
    """Reads and moves deliveries; each method is one transaction."""

    def claim(self, delivery_id: int, now: datetime, lease: timedelta) -> Delivery | Unclaimed:
        """Take the delivery for one attempt (counted), held until `now + lease`."""
        ...

    def destinations(self, delivery_ids: Sequence[int]) -> dict[int, Destination]:
        """Where each of these deliveries goes (unknown ids are left out)."""
        ...

    def postpone(self, delivery: Delivery, until: datetime, now: datetime) -> bool:
        """Its slot is later: held until then, the attempt not counted."""
        ...

    def release(self, delivery: Delivery, reason: str, until: datetime, now: datetime) -> bool:
        """Hand it back to be tried again from `until`, keeping why."""
        ...

    def mark_sent(self, delivery: Delivery, ref: SentRef, now: datetime) -> Sent | None:
        """Sent; None when the claim no longer held."""
        ...

    def mark_uncertain(self, delivery: Delivery, reason: str, now: datetime) -> tuple[int, ...]:
        """Maybe sent: never sent again; the next part is released."""
        ...

    def fail(
        self, delivery: Delivery, reason: str, now: datetime, *, permanent: bool, unreachable: bool
    ) -> bool:
        """Failed for good; `unreachable`: the platform said the member cannot be written to."""
        ...

    def move(self, delivery: Delivery, new_address: str, now: datetime) -> bool:
        """The space moved: remember where, and queue the delivery there."""
        ...
