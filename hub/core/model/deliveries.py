"""Deliveries: one part of one outbound message to one platform destination, tracked until sent."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class DeliveryState(StrEnum):
    """queued → sending → sent | failed | uncertain. A final delivery never changes again.

    `waiting`: a later part of a split message, queued once the part before it is sent, so
    parts arrive in order. `held`: waiting for the member to write first (outside WhatsApp's
    24-hour window, with no approved template); queued again when they do. `skipped`: will
    never be sent, with the reason in `last_error` (the member opted out, an earlier part
    failed, or it was held too long to still matter). `uncertain`: the request timed out after
    it was written and the platform cannot say whether it arrived; not sent again.
    """

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    WAITING = "waiting"
    SKIPPED = "skipped"
    UNCERTAIN = "uncertain"


PENDING = frozenset(
    {DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.HELD, DeliveryState.WAITING}
)
"""States a delivery can still leave; an opt-out or a forget-me skips them all."""
FINAL = frozenset(DeliveryState) - PENDING
"""States no transition leaves: the sent, failed, skipped and uncertain deliveries."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Destination:
    """Where a platform payload goes: a space's address, or a member's user id for a DM."""

    community_id: str
    platform: str
    address: str
    private: bool = False
    member_id: int | None = None
    space: str | None = None


ERASE = "erase"
"""A payload `{ERASE: True}` asks a platform that keeps member data in the hub's own store
(`Capabilities.keeps_member_data`: the webchat) to erase what it keeps of the destination's
member. It travels through the outbox like a message, so it is retried and done once."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SentRef:
    """What the platform said about a message it accepted."""

    message_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """A delivery as the sender sees it: the rendered payload and where it goes."""

    id: int
    idempotency_key: str
    community_id: str
    destination: Destination
    payload: dict[str, Any]
    state: DeliveryState
    attempts: int


def idempotency_key(cause: str, outbound_key: str, destination: Destination, part: int) -> str:
    """The stable key of a delivery: the same cause never yields two sends of one part."""
    where = (
        f"{destination.platform}:{'dm' if destination.private else 'space'}:{destination.address}"
    )
    return f"{cause}|{outbound_key}|{where}|{part}"
