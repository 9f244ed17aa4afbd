"""The delivery engine's guarantees in races: parts in order, STOP wins, leases fence, every
error counts. Real database and Redis; the platform is a scripted one behind the Sender port."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select

from hub.bootstrap import Hub
from hub.core.model.deliveries import Destination
from hub.core.model.domain import Identity
from hub.core.model.events import MemberJoined, OptedOut
from hub.core.ports import (
    ConfigurationSendError,
    RateLimit,
    TransientSendError,
    UncertainSendError,
)
from hub.core.storage.deliveries import DeliveryStore
from hub.core.storage.orm import DeliveryRow, IdentityRow
from hub.core.usecases import sending
from hub.core.usecases.pacing import HEADROOM, Pacer
from hub.core.usecases.sending import DeliveryService, Outcome, SendPolicy
from hub.ratelimit import RedisRateLimiter
from tests.builders import compose, write_config
from tests.delivering import ScriptedPlatform, deliver_as_the_queue_would

COMMUNITY = "inside-freelancing"


def joined(hub: Hub, n: int) -> list[int]:
    """Member u{n} joins the main room: a public welcome and a private one are planned."""
    who = Identity(platform="webchat", user_id=f"u{n}", display_name=f"Membre {n}")
    event = MemberJoined(
        event_id=f"join-{n}",
        community_id=COMMUNITY,
        platform="webchat",
        space="main",
        actor=who,
        occurred_at=datetime.now(UTC),
    )
    return hub.service.handle_event(event)


def hub_with(
    tmp_path: Path, database_url: str, redis_url: str, platform: ScriptedPlatform
) -> tuple[Hub, DeliveryService]:
    redis.Redis.from_url(redis_url).flushdb()
    hub = compose(write_config(tmp_path), database_url, redis_url)
    hub.service.renderers = {(COMMUNITY, "webchat"): platform}
    service = DeliveryService(
        DeliveryStore(hub.database), {(COMMUNITY, "webchat"): platform}, RedisRateLimiter(redis_url)
    )
    return hub, service


def states(hub: Hub, address: str) -> list[tuple[int, str]]:
    with hub.database.transaction() as session:
        rows = session.execute(
            select(DeliveryRow.part, DeliveryRow.state)
            .where(DeliveryRow.address == address, DeliveryRow.private.is_(True))
            .order_by(DeliveryRow.part)
        )
        return [(row.part, row.state) for row in rows]


async def test_parts_reach_the_platform_in_order_under_retries(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    tried: set[tuple[str, int]] = set()

    def first_try_fails(destination: Destination, payload: Mapping[str, Any]) -> None:
        attempt = (destination.address, int(payload["part"]))
        if attempt not in tried:  # part 0 fails first, so parts 1 and 2 would overtake it
            tried.add(attempt)
            raise TransientSendError("502 Bad Gateway", retry_after=0.05)

    platform = ScriptedPlatform(parts=3, before_send=first_try_fails)
    hub, service = hub_with(tmp_path, database_url, redis_url, platform)
    ids = [i for n in range(4) for i in joined(hub, n)]
    assert len(ids) == 8  # only each message's first part is queued; the others wait for it
    await deliver_as_the_queue_would(service, ids)
    for n in range(4):
        assert list(platform.parts_sent_to(f"u{n}").values()) == [[0, 1, 2]]
        assert states(hub, f"u{n}") == [(0, "sent"), (1, "sent"), (2, "sent")]
    (room,) = platform.parts_sent_to("salon").values()
    assert sorted(room) == sorted([0, 1, 2] * 4)


async def test_a_stop_while_a_fan_out_is_in_flight_wins(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    stopped: list[int] = []  # how many sends had reached the platform when the STOP committed
    flaky: set[tuple[str, int]] = set()

    def stop_arrives_mid_send(destination: Destination, payload: Mapping[str, Any]) -> None:
        attempt = (destination.address, int(payload["part"]))
        if attempt not in flaky:
            flaky.add(attempt)
            raise TransientSendError("503 Service Unavailable", retry_after=0.02)
        if destination.address == "u0" and not stopped:
            hub.service.handle_event(
                OptedOut(
                    event_id="stop-u0",
                    community_id=COMMUNITY,
                    platform="webchat",
                    space=None,
                    actor=Identity(platform="webchat", user_id="u0", display_name="Membre 0"),
                    occurred_at=datetime.now(UTC),
                )
            )
            stopped.append(len(platform.sent))

    chat_pace = RateLimit(scope="chat", count=10, seconds=1.0)  # later parts are paced too
    platform = ScriptedPlatform(
        parts=3, rate_limits=(chat_pace,), before_send=stop_arrives_mid_send
    )
    hub, service = hub_with(tmp_path, database_url, redis_url, platform)
    ids = [i for n in range(3) for i in joined(hub, n)]
    await deliver_as_the_queue_would(service, ids)
    assert stopped, "the STOP was sent while a send to u0 was in flight"
    to_u0_after_stop = [part for address, _, part in platform.sent[stopped[0] :] if address == "u0"]
    assert to_u0_after_stop == [0]  # only the part that was in flight when the STOP came
    assert list(platform.parts_sent_to("u0").values()) == [[0]]
    assert states(hub, "u0") == [(0, "skipped"), (1, "skipped"), (2, "skipped")]
    for n in (1, 2):
        assert list(platform.parts_sent_to(f"u{n}").values()) == [[0, 1, 2]]


async def test_held_and_skipped_deliveries_answer_done_not_busy(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    platform = ScriptedPlatform()
    hub, service = hub_with(tmp_path, database_url, redis_url, platform)
    public, private = joined(hub, 1)
    with hub.database.transaction() as session:
        session.get_one(DeliveryRow, public).state = "held"
        session.get_one(DeliveryRow, private).state = "skipped"
    assert [(await service.deliver(i)).outcome for i in (public, private)] == [
        Outcome.ALREADY_DONE,
        Outcome.ALREADY_DONE,
    ]
    assert platform.sent == []


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_an_adapter_bug_counts_as_an_attempt_and_ends_failed_after_the_cap(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    def broken(destination: Destination, payload: Mapping[str, Any]) -> None:
        raise KeyError("text")

    platform = ScriptedPlatform(before_send=broken)
    hub, _ = hub_with(tmp_path, database_url, redis_url, platform)
    clock = Clock()
    service = DeliveryService(
        DeliveryStore(hub.database),
        {(COMMUNITY, "webchat"): platform},
        clock=clock,
        policy=SendPolicy(max_attempts=3),
    )
    public, _ = joined(hub, 1)
    outcomes = []
    for _ in range(4):
        outcomes.append((await service.deliver(public)).outcome)
        clock.now += timedelta(minutes=5)
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED, Outcome.ALREADY_DONE]
    with hub.database.transaction() as session:
        row = session.get_one(DeliveryRow, public)
        assert (row.state, row.attempts, row.last_error) == ("failed", 3, "webchat: KeyError")


async def test_a_worker_whose_lease_ran_out_cannot_overwrite_the_next_ones_outcome(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    release = asyncio.Event()

    platform = ScriptedPlatform()
    hub, _ = hub_with(tmp_path, database_url, redis_url, platform)
    clock = Clock()
    senders = {(COMMUNITY, "webchat"): platform}
    slow_service = DeliveryService(DeliveryStore(hub.database), senders, clock=clock)
    public, _ = joined(hub, 1)

    original = platform.send

    async def stalls_once(destination: Destination, payload: Mapping[str, Any]) -> Any:
        if not release.is_set():
            release.set()
            clock.now += sending.LEASE + timedelta(seconds=1)  # the lease runs out meanwhile...
            other = DeliveryService(DeliveryStore(hub.database), senders, clock=clock)
            second = await other.deliver(public)
            assert second.outcome is Outcome.SENT  # ...and another worker sends it
        return await original(destination, payload)

    platform.send = stalls_once  # type: ignore[method-assign]
    first = await slow_service.deliver(public)
    assert first.outcome is Outcome.ALREADY_DONE  # its mark-sent was refused: lease lost
    with hub.database.transaction() as session:
        row = session.get_one(DeliveryRow, public)
        assert (row.state, row.platform_message_id, row.attempts) == ("sent", "m1", 2)


async def test_a_configuration_error_fails_the_delivery_but_leaves_the_member_reachable(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    def rejected(destination: Destination, payload: Mapping[str, Any]) -> None:
        raise ConfigurationSendError("401 Unauthorized: check the token")

    hub, service = hub_with(
        tmp_path, database_url, redis_url, ScriptedPlatform(before_send=rejected)
    )
    _, private = joined(hub, 1)
    attempt = await service.deliver(private)
    assert (attempt.outcome, attempt.misconfigured) == (Outcome.FAILED, True)
    with hub.database.transaction() as session:
        assert session.scalars(select(IdentityRow.reachable)).all() == [True]
    no_adapter = DeliveryService(DeliveryStore(hub.database), {})
    public, _ = joined(hub, 2)
    assert (await no_adapter.deliver(public)).misconfigured


@pytest.mark.parametrize("dedupes", [False, True])
async def test_a_send_that_timed_out_after_being_written_is_uncertain_unless_the_platform_dedupes(
    tmp_path: Path, database_url: str, redis_url: str, dedupes: bool
) -> None:
    def maybe_arrived(destination: Destination, payload: Mapping[str, Any]) -> None:
        if not platform.sent and payload["part"] == 0:
            raise UncertainSendError("read timeout after the request was written")

    platform = ScriptedPlatform(parts=2, before_send=maybe_arrived, deduplicates=dedupes)
    hub, service = hub_with(tmp_path, database_url, redis_url, platform)
    _, private = joined(hub, 1)
    first = await service.deliver(private)
    if dedupes:
        assert first.outcome is Outcome.RETRY
    else:
        assert first.outcome is Outcome.UNCERTAIN
        assert len(first.released) == 1  # the next part still follows
        assert (await service.deliver(private)).outcome is Outcome.ALREADY_DONE
        assert states(hub, "u1") == [(0, "uncertain"), (1, "queued")]


def test_two_communities_on_one_bot_share_its_budget(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    bot = ScriptedPlatform(
        account="123456", rate_limits=(RateLimit(scope="bot", count=1, seconds=1),)
    )
    pacer = Pacer(RedisRateLimiter(redis_url))
    first, second = (
        Destination(community_id=community, platform="telegram", address="-100")
        for community in ("founders", "freelancers")
    )
    assert Pacer.budgets(first, bot) == Pacer.budgets(second, bot)
    assert pacer.clearance(first, bot).wait == 0.0
    assert 1.0 < pacer.clearance(second, bot).wait <= 1.0 + HEADROOM  # not a budget of its own
    other_bot = ScriptedPlatform(account="654321", rate_limits=bot.rate_limits)
    assert pacer.clearance(second, other_bot).wait == 0.0


async def test_a_429_holds_back_the_next_send_on_that_budget(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    told: list[str] = []

    def too_many(destination: Destination, payload: Mapping[str, Any]) -> None:
        if not told:
            told.append(destination.address)
            raise TransientSendError("429 Too Many Requests", retry_after=5)

    bot_wide = (RateLimit(scope="bot", count=100, seconds=1.0),)
    platform = ScriptedPlatform(rate_limits=bot_wide, before_send=too_many)
    hub, service = hub_with(tmp_path, database_url, redis_url, platform)
    public, private = joined(hub, 1)
    assert (await service.deliver(public)).outcome is Outcome.RETRY
    paced = await service.deliver(private)  # another chat, same account: it waits too
    assert paced.outcome is Outcome.PACED
    assert 4.5 < (paced.retry_after or 0) <= 5.0
    assert platform.sent == []
