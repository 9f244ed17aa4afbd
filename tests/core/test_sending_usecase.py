"""Sending's rules against the in-memory deliveries: sent once, retried, failed, moved, and a
lost claim never overwrites the next worker's outcome (the SQL side: tests/core/test_sending.py
and tests/core/test_delivery_engine.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.core.model.deliveries import Delivery, DeliveryState, Destination, SentRef
from hub.core.model.messages import Outbound
from hub.core.ports import (
    AddressMovedError,
    Capabilities,
    RecipientUnreachableError,
    TransientSendError,
)
from hub.core.usecases.sending import LEASE, DeliveryService, Outcome, SendPolicy
from tests.fakes.repositories.deliveries import FakeDeliveries

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SALON = Destination(community_id="c", platform="webchat", address="salon")
ANA = Destination(community_id="c", platform="webchat", address="u-ana", private=True, member_id=1)


class Platform:
    """Sends whatever it is given, or raises the errors queued in `failures`."""

    platform, account = "webchat", "hub"
    capabilities = Capabilities(max_text_length=100, markup="plain")

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.sent: list[Mapping[str, Any]] = []

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        return [{"text": outbound.key}]

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(payload)
        return SentRef(message_id=f"m{len(self.sent)}")


def service(store: FakeDeliveries, platform: Platform, **options: Any) -> DeliveryService:
    return DeliveryService(store, {("c", "webchat"): platform}, clock=lambda: NOW, **options)


async def test_a_delivery_is_sent_once() -> None:
    store, platform = FakeDeliveries(), Platform()
    sent = store.add(SALON, {"text": "hi"}, NOW)
    assert (await service(store, platform).deliver(sent)).outcome is Outcome.SENT
    assert (await service(store, platform).deliver(sent)).outcome is Outcome.ALREADY_DONE
    assert platform.sent == [{"text": "hi"}]
    assert store.rows[sent].platform_message_id == "m1"


async def test_a_transient_error_is_retried_until_the_policy_gives_up() -> None:
    store = FakeDeliveries()
    platform = Platform(*(TransientSendError("502") for _ in range(3)))
    failing = store.add(SALON, {"text": "hi"}, NOW)
    sender = service(store, platform, policy=SendPolicy(max_attempts=3))
    outcomes = [(await sender.deliver(failing)).outcome for _ in range(3)]
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED]
    assert store.rows[failing].last_error == "502" and platform.sent == []


async def test_only_the_members_own_platform_marks_them_unreachable() -> None:
    store = FakeDeliveries()
    blocked = store.add(ANA, {"text": "hi"}, NOW)
    attempt = await service(store, Platform(RecipientUnreachableError("blocked"))).deliver(blocked)
    assert attempt.outcome is Outcome.FAILED and store.rows[blocked].unreachable


async def test_a_space_that_moved_is_sent_to_at_its_new_address_without_spending_an_attempt() -> (
    None
):
    store, platform = FakeDeliveries(), Platform(AddressMovedError("moved", "new-salon"))
    moved = store.add(SALON, {"text": "hi"}, NOW)
    first = await service(store, platform).deliver(moved)
    assert (first.outcome, first.retry_after) == (Outcome.RETRY, 0)
    assert store.moves == {("c", "webchat", "salon"): "new-salon"}
    assert (await service(store, platform).deliver(moved)).outcome is Outcome.SENT
    assert store.rows[moved].delivery.attempts == 1


async def test_a_worker_whose_claim_ran_out_records_nothing() -> None:
    store, platform = FakeDeliveries(), Platform()
    delivery_id = store.add(SALON, {"text": "hi"}, NOW)
    stale = store.claim(delivery_id, NOW - LEASE * 2, LEASE)  # a worker that died mid-send
    assert isinstance(stale, Delivery)
    assert (await service(store, platform).deliver(delivery_id)).outcome is Outcome.SENT
    assert store.rows[delivery_id].state is DeliveryState.SENT
    assert store.fail(stale, "late", NOW, permanent=True, unreachable=False) is False
    assert store.rows[delivery_id].state is DeliveryState.SENT


async def test_a_delivery_another_worker_holds_is_busy_until_its_lease_ends() -> None:
    store, platform = FakeDeliveries(), Platform()
    held = store.add(SALON, {"text": "hi"}, NOW)
    store.claim(held, NOW, LEASE)
    attempt = await service(store, platform).deliver(held)
    assert attempt.outcome is Outcome.BUSY
    assert attempt.retry_after == LEASE.total_seconds()
    assert service(store, platform).reserve_planned([held])[0][1].wait == 0
    assert timedelta(seconds=attempt.retry_after or 0) == LEASE
