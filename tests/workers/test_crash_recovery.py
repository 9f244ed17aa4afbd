"""A worker killed with SIGKILL in the middle of 1,000 deliveries loses nothing.

(With the scheduler's sweep running, as in production: the kill can come while the ritual is
still handing its deliveries to the queue, and the sweep sends the rest.)

The pipeline runs for real: `hub worker` processes on a real Redis broker and PostgreSQL (or
SQLite), delivering to webchat rooms (Redis streams). Every delivery ends `sent`; a second send
happens only for deliveries whose request was in flight when the worker died.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import redis
from sqlalchemy import func, select

from hub.adapters.webchat.streams import room_stream
from hub.core.storage.orm import DeliveryRow
from hub.runtime import actors_for
from tests.builders import HUB, compose, wait_for, write_config
from workers.processes import scheduler_tick

ROOMS = 1000
THREADS = 8


def crowded_config(directory: Path) -> Path:
    rooms = "\n".join(f"      r{i}: room{i}" for i in range(ROOMS))
    spaces = ", ".join(f"r{i}" for i in range(ROOMS))
    return write_config(
        directory,
        f"""
community: {{id: crowded, name: Crowded, timezone: Europe/Paris, locale: en}}
broker: {{heartbeat_timeout: 3s}}
platforms:
  webchat:
    spaces:
{rooms}
rituals:
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [{spaces}]
    questions: ["What did you ship this week?"]
""",
    )


def start_worker(config: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [HUB, "worker", "--config", str(config), "--threads", str(THREADS)],
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )


def count_by_state(hub: object) -> dict[str, int]:
    with hub.database.transaction() as session:  # type: ignore[attr-defined]
        rows = session.execute(select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state))
        return {state: count for state, count in rows}


def test_a_worker_killed_mid_broadcast_is_replaced_and_every_delivery_is_sent(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    config = crowded_config(tmp_path)
    hub = compose(config, database_url, redis_url)
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    log = tmp_path / "workers.log"

    first = start_worker(config, env, log)
    actors = actors_for(hub)
    actors.run_ritual.send(hub.scheduler().fire_now("crowded", "icebreaker"))
    wait_for(lambda: count_by_state(hub).get("sent", 0) >= 250, 120, "the first sends")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    at_kill = count_by_state(hub)
    with hub.database.transaction() as session:
        in_flight = set(
            session.scalars(select(DeliveryRow.address).where(DeliveryRow.state == "sending"))
        )
    assert at_kill.get("sent", 0) < ROOMS, "the kill came too late to test anything"

    second = start_worker(config, env, log)
    scheduler = hub.scheduler()

    def recovered() -> bool:  # the scheduler's sweep runs as in production: the kill may have
        scheduler_tick(scheduler, actors)  # cut the ritual's enqueueing short
        return count_by_state(hub).get("sent", 0) == ROOMS

    try:
        wait_for(recovered, 240, "every delivery to be sent")
    except AssertionError:
        print(f"\nstates at the kill: {at_kill}; at the timeout: {count_by_state(hub)}")
        print(f"broker keys: {sorted(k.decode() for k in store.keys('hub*'))[:20]}")
        raise
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)

    received = {f"room{i}": store.xlen(room_stream("crowded", f"room{i}")) for i in range(ROOMS)}
    doubled = {room for room, count in received.items() if count > 1}
    print(
        f"\nstates at the kill: {at_kill}; in flight: {len(in_flight)}; sent twice: {len(doubled)}"
    )
    assert count_by_state(hub) == {"sent": ROOMS}
    assert all(count >= 1 for count in received.values()), "a delivery was lost"
    assert max(received.values()) <= 2
    assert doubled <= in_flight, "a delivery not in flight at the kill was sent twice"
    assert len(doubled) <= THREADS
