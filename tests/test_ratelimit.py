"""Pacing shared through Redis: a broadcast stays under the platform's limits, so no 429."""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from hub.core.model.deliveries import Destination, SentRef
from hub.core.model.domain import Identity
from hub.core.model.events import MemberJoined
from hub.core.ports import Capabilities, RateLimit, TransientSendError
from hub.core.storage.deliveries import DeliveryStore
from hub.core.usecases.sending import DeliveryService
from hub.ratelimit import RedisRateLimiter
from tests.builders import compose, write_config
from tests.delivering import deliver_as_the_queue_would

PER_CHAT = RateLimit(scope="chat", count=2, seconds=1.0)


BOT = RateLimit(scope="bot", count=10, seconds=1.0)


def _redis_now_us(client: redis.Redis) -> int:
    seconds, micros = client.time()
    return int(seconds) * 1_000_000 + int(micros)


def test_reservations_stack_evenly_spaced_slots_unless_a_burst_is_allowed(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    limiter = RedisRateLimiter(redis_url)
    waits = [limiter.reserve([("t:chat:42", PER_CHAT)]).wait for _ in range(3)]
    assert waits[0] == 0.0
    assert 0.45 < waits[1] <= 0.5  # the second owns the slot at +0.5 s...
    assert 0.95 < waits[2] <= 1.0  # ...so the third is given the one after, not the same one
    bursty = RateLimit(scope="chat", count=2, seconds=1.0, burst=2)
    assert [limiter.reserve([("s:chat:9", bursty)]).wait for _ in range(2)] == [0.0, 0.0]
    assert limiter.reserve([("s:chat:9", bursty)]).wait > 0
    assert limiter.reserve([("t:chat:43", PER_CHAT)]).wait == 0.0  # another chat, its own budget


def test_a_slot_less_than_a_millisecond_away_is_a_wait_not_a_go(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    limiter = RedisRateLimiter(redis_url)
    client.set("hub:rate:t:chat:1", _redis_now_us(client) + 5_000)  # next slot in 5 ms
    assert 0 < limiter.reserve([("t:chat:1", PER_CHAT)]).wait <= 0.005
    client.set("hub:rate:t:chat:2", _redis_now_us(client) - 1)  # the slot has just passed
    assert limiter.reserve([("t:chat:2", PER_CHAT)]).wait == 0.0
    assert int(client.get("hub:rate:t:chat:2") or 0) % 1 == 0  # stored as an integer µs


def test_a_chat_that_says_wait_books_no_bot_wide_slot_ahead(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    limiter = RedisRateLimiter(redis_url)
    chat_a = [("t:bot:*", BOT), ("t:chat:A", PER_CHAT)]
    assert limiter.reserve(chat_a).wait == 0.0
    second = limiter.reserve(chat_a)
    assert 0.45 < second.wait <= 0.5
    assert second.pending == (("t:bot:*", BOT),)  # taken when its slot comes, not now
    # another chat is not held back by chat A's future slot: only by the bot's pace
    assert limiter.reserve([("t:bot:*", BOT), ("t:chat:B", PER_CHAT)]).wait <= 0.1
    # with chat A's budget owned, only the bot's pace counts: its third slot, at +0.2 s, not
    # chat A's next one (+1 s)
    third = limiter.reserve(chat_a, owned=[("t:chat:A", PER_CHAT)])
    assert 0.15 < third.wait <= 0.2
    assert third.pending == ()


def test_the_bot_wide_budget_is_booked_when_it_is_what_makes_a_send_wait(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    limiter = RedisRateLimiter(redis_url)
    slots = [limiter.reserve([("w:bot:*", BOT), (f"w:chat:{n}", PER_CHAT)]) for n in range(5)]
    assert [s.pending for s in slots] == [()] * 5
    waits = [s.wait for s in slots]
    assert waits[0] == 0.0
    assert all(0.09 < b - a <= 0.1 for a, b in itertools.pairwise(waits))


def test_a_429_pauses_the_budget_for_every_worker(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    first, second = RedisRateLimiter(redis_url), RedisRateLimiter(redis_url)
    first.pause([("d:bot:*", BOT)], 2.0)
    assert 1.9 < second.reserve([("d:bot:*", BOT)]).wait <= 2.0


def test_two_limiters_on_one_redis_share_the_budget(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    first, second = RedisRateLimiter(redis_url), RedisRateLimiter(redis_url)
    assert first.reserve([("slack:chat:C1", PER_CHAT)]).wait == 0.0
    assert second.reserve([("slack:chat:C1", PER_CHAT)]).wait > 0


class StrictPlatform:
    """Answers 429 like a platform when one chat gets more than 2 messages in a second."""

    capabilities = Capabilities(max_text_length=1000, markup="html", rate_limits=(PER_CHAT,))
    account = "strict"

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
        DeliveryStore(hub.database),
        {("inside-freelancing", "webchat"): platform},
        RedisRateLimiter(redis_url),
    )
    await deliver_as_the_queue_would(service, ids)
    assert platform.rejected == 0
    assert len(platform.sent["salon"]) == 6
    assert sum(len(times) for times in platform.sent.values()) == 12


def test_admission_keeps_every_sliding_window_at_its_count(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    limiter = RedisRateLimiter(redis_url)
    three_a_second = RateLimit(scope="bot", count=3, seconds=1.0)
    budgets = [("w:bot:*", three_a_second)]
    assert [limiter.admit(budgets, f"send-{n}") for n in range(3)] == [0.0, 0.0, 0.0]
    fourth = limiter.admit(budgets, "send-3")
    assert 0.9 < fourth <= 1.0  # room once the first of the three leaves the window
    assert limiter.admit(budgets, "send-3") > 0  # a refusal records nothing: still no room


def test_admission_refused_under_one_budget_spends_nothing_under_the_others(
    redis_url: str,
) -> None:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    limiter = RedisRateLimiter(redis_url)
    bot, chat = (
        ("w:bot:*", RateLimit(scope="bot", count=10, seconds=1.0)),
        ("w:chat:1", RateLimit(scope="chat", count=1, seconds=1.0)),
    )
    assert limiter.admit([bot, chat], "a") == 0.0
    assert limiter.admit([bot, chat], "b") > 0  # the chat's window is full...
    assert client.zcard("hub:sent:w:bot:*") == 1  # ...so the bot-wide one was not spent
