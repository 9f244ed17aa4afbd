"""The scheduler's sweep asks the broker what it holds: one broker message per delivery, however
old the rows, and exactly one new message for each delivery whose message was lost."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from structlog.testing import capture_logs

from hub.bootstrap import Hub
from hub.runtime import actors_for
from tests.builders import compose, write_config
from workers.actors import Actors
from workers.processes import scheduler_tick

ROOMS = 2000
QUEUES = ("hub:deliveries", "hub:deliveries.DQ")  # Dramatiq's queue and its delay queue


def crowded(directory: Path) -> Path:
    rooms = "\n".join(f"      r{i}: room{i}" for i in range(ROOMS))
    return write_config(
        directory,
        f"""
community: {{id: crowded, name: Crowded, timezone: Europe/Paris, locale: en}}
platforms:
  webchat:
    spaces:
{rooms}
rituals:
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [{", ".join(f"r{i}" for i in range(ROOMS))}]
    questions: ["What did you ship this week?"]
""",
    )


def planned(hub: Hub, actors: Actors) -> list[int]:
    """A fan-out planned and enqueued as the actors do it, with no worker to take it: most
    messages on the queue, every fourth one delayed (a retry, or a paced send at its slot)."""
    ids = sorted(hub.service.run_occurrence(hub.scheduler().fire_now("crowded", "icebreaker")))
    for n, delivery_id in enumerate(ids):
        if n % 4 == 0:
            actors.deliver.send_with_options(args=(delivery_id, []), delay=3_600_000)
        else:
            actors.deliver.send(delivery_id)
    return ids


def messages(store: redis.Redis) -> dict[int, list[tuple[str, bytes]]]:
    """Where the broker keeps each delivery's messages: (queue, message id) by delivery id."""
    found: dict[int, list[tuple[str, bytes]]] = {}
    for queue in QUEUES:
        for message_id, data in store.hgetall(f"{queue}.msgs").items():
            message = json.loads(data)
            if message["actor_name"] == "deliver":
                found.setdefault(message["args"][0], []).append((queue, message_id))
    return found


def per_delivery(store: redis.Redis) -> Counter[int]:
    return Counter({delivery: len(held) for delivery, held in messages(store).items()})


def lose(store: redis.Redis, delivery_ids: list[int]) -> None:
    """What a Redis restart does to these deliveries' messages: gone from queue and hash."""
    held = messages(store)
    for delivery_id in delivery_ids:
        for queue, message_id in held[delivery_id]:
            store.lrem(queue, 0, message_id)
            store.hdel(f"{queue}.msgs", message_id)


def sweep(hub: Hub, actors: Actors, minutes_on: float) -> int:
    """One scheduler tick with the clock moved on; how many deliveries it requeued."""
    later = hub.scheduler(clock=lambda: datetime.now(UTC) + timedelta(minutes=minutes_on))
    with capture_logs() as logs:
        scheduler_tick(later, actors)
    return sum(int(e["count"]) for e in logs if e["event"] == "deliveries.requeued")


def test_old_rows_keep_one_broker_message_and_each_lost_one_gets_exactly_one_more(
    tmp_path: Path, database_url: str, redis_url: str, redis_client: redis.Redis
) -> None:
    hub = compose(crowded(tmp_path), database_url, redis_url)
    actors = actors_for(hub)
    ids = planned(hub, actors)
    assert per_delivery(redis_client) == Counter(dict.fromkeys(ids, 1))

    assert sweep(hub, actors, minutes_on=5) == 0  # rows five minutes old, messages all there
    assert sweep(hub, actors, minutes_on=10) == 0
    assert per_delivery(redis_client) == Counter(dict.fromkeys(ids, 1))

    gone = ids[::7]  # from the queue and from the delay queue alike
    lose(redis_client, gone)
    assert sweep(hub, actors, minutes_on=15) == len(gone)
    assert sweep(hub, actors, minutes_on=20) == 0
    assert per_delivery(redis_client) == Counter(dict.fromkeys(ids, 1))


def test_a_tick_with_nothing_pending_does_not_read_the_broker(
    tmp_path: Path, database_url: str, redis_url: str, redis_client: redis.Redis
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    actors = actors_for(hub)
    redis_client.config_resetstat()
    assert sweep(hub, actors, minutes_on=5) == 0
    assert "cmdstat_hscan" not in redis_client.info("commandstats")
