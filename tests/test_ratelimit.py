"""Pacing shared through Redis: a broadcast stays under the platform's limits, so no 429."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from hub.core.delivery import Destination, SentRef
from hub.core.domain import Identity
from hub.core.events import MemberJoined
from hub.core.ports import Capabilities, RateLimit, TransientSendError
from hub.core.sending import DeliveryService, Outcome
from hub.ratelimit import RedisRateLimiter
from tests.builders import compose, write_config

PER_CHAT = RateLimit(scope="chat", count=2, seconds=1.0)


def test_sends_are_spaced_evenly_unless_a_burst_is_allowed(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    limiter = RedisRateLimiter(redis_url)
    waits = [limiter.reserve("telegram:c:chat:42", PER_CHAT) for _ in range(2)]
    assert waits[0] == 0.0
    assert 0.3 < waits[1] <= 0.5
    bursty = RateLimit(scope="chat", count=2, seconds=1.0, burst=2)
    assert [limiter.reserve("slack:c:chat:9", bursty) for _ in range(2)] == [0.0, 0.0]
    assert limiter.reserve("slack:c:chat:9", bursty) > 0
    assert limiter.reserve("telegram:c:chat:43", PER_CHAT) == 0.0  # another chat has its own budget


def test_two_limiters_on_one_redis_share_the_budget(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    first, second = RedisRateLimiter(redis_url), RedisRateLimiter(redis_url)
    assert first.reserve("slack:c:chat:C1", PER_CHAT) == 0.0
    assert second.reserve("slack:c:chat:C1", PER_CHAT) > 0


class StrictPlatform:
    """Answers 429 like a platform when one chat gets more than 2 messages in a second."""

    capabilities = Capabilities(max_text_length=1000, markup="html", rate_limits=(PER_CHAT,))

    def __init__(self) -> None:
        self.sent: dict[str, list[float]] = defaultdict(list)
        self.rejected = 0

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        now = time.monotonic()
        recent = [t for t in self.sent[destination.address] if now - t < 0.95]
        if len(recent) >= 2:
            self.rejected += 1
            raise TransientSendError("429 Too Many Requests", retry_after=1)
        self.sent[destination.address].append(now)
        return SentRef(message_id=str(len(self.sent[destination.address])))


async def test_a_broadcast_to_one_chat_is_paced_and_never_rejected(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    hub = compose(write_config(tmp_path), database_url, redis_url)
    ids: list[int] = []
    for n in range(6):
        who = Identity(platform="webchat", user_id=f"u{n}", display_name=f"M{n}")
        event = MemberJoined(
            event_id=f"j{n}",
            community_id="inside-freelancing",
            platform="webchat",
            space="main",
            actor=who,
            occurred_at=datetime.now(UTC),
        )
        ids += hub.service.handle_event(event)
    platform = StrictPlatform()
    service = DeliveryService(
        hub.database,
        {("inside-freelancing", "webchat"): platform},
        limiter=RedisRateLimiter(redis_url),
    )
    pending = list(ids)
    while pending:
        attempts = await asyncio.gather(*(service.deliver(i) for i in pending))
        pending = [
            i for i, a in zip(pending, attempts, strict=True) if a.outcome is not Outcome.SENT
        ]
        delays = [a.retry_after or 0 for a in attempts if a.outcome is not Outcome.SENT]
        await asyncio.sleep(min(delays, default=0))
    assert platform.rejected == 0
    assert len(platform.sent["salon"]) == 6
    assert sum(len(times) for times in platform.sent.values()) == 12
