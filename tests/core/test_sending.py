"""Sending deliveries: once, with retries that honour retry-after, and failures recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hub.core.model.deliveries import Destination, SentRef
from hub.core.model.domain import Identity
from hub.core.model.events import MemberJoined
from hub.core.ports import (
    Capabilities,
    RecipientUnreachableError,
    TransientSendError,
)
from hub.core.storage.deliveries import DeliveryStore
from hub.core.storage.orm import DeliveryRow, IdentityRow
from hub.core.usecases.sending import DeliveryService, Outcome, SendPolicy
from tests.builders import compose, write_config


class FakePlatform:
    """A platform that records what it is sent and fails as told."""

    capabilities = Capabilities(max_text_length=1000, markup="html")
    account = "scripted"

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.sent: list[Mapping[str, Any]] = []
        self.failures = failures or []

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        await asyncio.sleep(0.01)
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(payload)
        return SentRef(message_id=f"m{len(self.sent)}")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def planned(tmp_path: Path, database_url: str, redis_url: str) -> tuple[Any, list[int]]:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    who = Identity(platform="webchat", user_id="u1", display_name="Zoé")
    event = MemberJoined(
        event_id="j1",
        community_id="inside-freelancing",
        platform="webchat",
        space="main",
        actor=who,
        occurred_at=datetime.now(UTC),
    )
    return hub, hub.service.handle_event(event)


def service(hub: Any, platform: FakePlatform, clock: Clock) -> DeliveryService:
    return DeliveryService(
        DeliveryStore(hub.database), {("inside-freelancing", "webchat"): platform}, clock=clock
    )


async def test_a_sent_delivery_is_never_sent_again(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub, (public, _) = planned(tmp_path, database_url, redis_url)
    platform, clock = FakePlatform(), Clock()
    first = await service(hub, platform, clock).deliver(public)
    second = await service(hub, platform, clock).deliver(public)
    assert (first.outcome, second.outcome) == (Outcome.SENT, Outcome.ALREADY_DONE)
    assert len(platform.sent) == 1
    with hub.database.transaction() as session:
        row = session.get_one(DeliveryRow, public)
        assert (row.state, row.platform_message_id, row.attempts) == ("sent", "m1", 1)


async def test_two_workers_racing_for_one_delivery_send_it_once(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub, (public, _) = planned(tmp_path, database_url, redis_url)
    platform, clock = FakePlatform(), Clock()
    outcomes = await asyncio.gather(
        *(service(hub, platform, clock).deliver(public) for _ in range(4))
    )
    assert sorted(o.outcome for o in outcomes).count(Outcome.SENT) == 1
    assert len(platform.sent) == 1


async def test_a_transient_failure_waits_for_retry_after_then_sends(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub, (public, _) = planned(tmp_path, database_url, redis_url)
    platform, clock = (
        FakePlatform([TransientSendError("429 Too Many Requests", retry_after=30)]),
        Clock(),
    )
    sender = service(hub, platform, clock)
    first = await sender.deliver(public)
    assert (first.outcome, first.retry_after) == (Outcome.RETRY, 30)
    assert (await sender.deliver(public)).outcome == Outcome.BUSY  # too early: retry-after honoured
    clock.now += timedelta(seconds=31)
    assert (await sender.deliver(public)).outcome == Outcome.SENT
    with hub.database.transaction() as session:
        assert session.get_one(DeliveryRow, public).attempts == 2


async def test_a_permanent_failure_is_recorded_and_flags_the_member(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub, (_, private) = planned(tmp_path, database_url, redis_url)
    platform, clock = (
        FakePlatform([RecipientUnreachableError("403 Forbidden: bot was blocked by the user")]),
        Clock(),
    )
    attempt = await service(hub, platform, clock).deliver(private)
    assert attempt.outcome == Outcome.FAILED
    assert (await service(hub, platform, clock).deliver(private)).outcome == Outcome.ALREADY_DONE
    assert platform.sent == []
    with hub.database.transaction() as session:
        row = session.get_one(DeliveryRow, private)
        assert (row.state, row.permanent, row.last_error) == (
            "failed",
            True,
            "403 Forbidden: bot was blocked by the user",
        )
        identity = session.scalars(select(IdentityRow)).one()
        assert identity.reachable is False


async def test_transient_failures_give_up_after_the_last_attempt(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub, (public, _) = planned(tmp_path, database_url, redis_url)
    platform, clock = (
        FakePlatform([TransientSendError("502 Bad Gateway") for _ in range(3)]),
        Clock(),
    )
    sender = DeliveryService(
        DeliveryStore(hub.database),
        {("inside-freelancing", "webchat"): platform},
        clock=clock,
        policy=SendPolicy(max_attempts=3),
    )
    outcomes = [(await sender.deliver(public)).outcome for _ in range(3)]
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED]
    with hub.database.transaction() as session:
        row = session.get_one(DeliveryRow, public)
        assert (row.state, row.permanent, row.last_error) == ("failed", False, "502 Bad Gateway")
