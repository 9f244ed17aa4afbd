"""No head-of-line blocking: a platform account that must be paced does not hold up another.

Two communities on two accounts, one Dramatiq worker with two threads, on a real Redis: the
paced account's deliveries are queued first, yet every delivery of the unpaced one is sent
before the paced one has sent its third, because no worker thread waits for a slot.
"""

from __future__ import annotations

from pathlib import Path

import redis

from hub.core.ports import RateLimit
from hub.core.storage.deliveries import DeliveryStore
from hub.core.usecases.sending import DeliveryService
from hub.ratelimit import RedisRateLimiter
from hub.runtime import actors_for
from tests.builders import compose, wait_for, write_config
from tests.delivering import ScriptedPlatform
from workers.processes import start_worker

ROOMS = 6


def community(name: str, prefix: str) -> str:
    rooms = ", ".join(f"{prefix}{n}: {prefix}{n}" for n in range(ROOMS))
    names = ", ".join(f"{prefix}{n}" for n in range(ROOMS))
    return f"""
community: {{id: {name}, name: {name}, timezone: UTC, locale: en}}
platforms:
  webchat:
    spaces: {{{rooms}}}
rituals:
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [{names}]
    questions: ["What did you ship this week?"]
"""


def test_a_paced_account_does_not_hold_up_another_one(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    write_config(tmp_path, community("slow-club", "s"), name="slow.yaml")
    write_config(tmp_path, community("fast-club", "f"), name="fast.yaml")
    hub = compose(tmp_path, database_url, redis_url)
    log: list[tuple[str, str, int]] = []
    paced = (RateLimit(scope="bot", count=2, seconds=1.0),)  # six sends take 2.5 s
    slow = ScriptedPlatform(account="slow-bot", rate_limits=paced, sent=log)
    fast = ScriptedPlatform(account="fast-bot", sent=log)
    senders = {("slow-club", "webchat"): slow, ("fast-club", "webchat"): fast}
    hub.service.renderers = dict(senders)
    hub.delivery = DeliveryService(
        DeliveryStore(hub.database), senders, RedisRateLimiter(redis_url)
    )
    actors = actors_for(hub)
    worker = start_worker(actors.deliver.broker, threads=2)
    try:
        scheduler = hub.scheduler()
        actors.run_ritual.send(scheduler.fire_now("slow-club", "icebreaker"))
        wait_for(lambda: len(log) >= 1, what="the paced account's first send")
        actors.run_ritual.send(scheduler.fire_now("fast-club", "icebreaker"))
        wait_for(lambda: len(log) == 2 * ROOMS, what="every delivery to be sent")
    finally:
        worker.stop()
    order = [address[0] for address, _, _ in log]
    assert order.count("s") == order.count("f") == ROOMS
    third_paced = [n for n, who in enumerate(order) if who == "s"][2]
    last_unpaced = max(n for n, who in enumerate(order) if who == "f")
    assert last_unpaced < third_paced, order
