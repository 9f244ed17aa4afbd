"""Dramatiq's idle poll (`workers.processes.IDLE_POLL_MS`): what each value costs and buys.

    .venv/bin/python bench/idle_poll.py [--values 1000,200,100,50] [--probes 12]

For each value, a worker (the code of `hub worker`, its poll set to the value) on an embedded
Redis and SQLite: its idle CPU and the Redis server's over 10 s; then how late a delivery
sent to the idle queue (after 1–1.5 s of quiet) is written to its webchat room, and how late a
delivery sent with a 300 ms delay (a paced slot) is written after its due time. A webchat
entry carries the time it was written, so each latency is that time minus the send's.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import Workspace, community_file, machine, stop, workspace

from hub.adapters.webchat import streams
from hub.bootstrap import build_hub, load_config
from hub.core.storage.orm import DeliveryRow
from hub.runtime import actors_for
from workers.processes import start_worker

DELAY_MS = 300


def child(config: str, poll_ms: int) -> None:
    """What `hub worker` runs, with the poll under test."""
    hub = build_hub(load_config(Path(config)))
    worker = start_worker(actors_for(hub).deliver.broker, 8, idle_poll_ms=poll_ms)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait()
    worker.stop()


def written_at(space: Workspace, room: str) -> float:
    """When the first entry of `room`'s stream was written (its `sent_at`): each probe has a
    room of its own."""
    client = space.redis()
    key = streams.room_stream("bench", room)
    found = client.xread({key: "0-0"}, count=1, block=10_000)
    if not found:
        raise TimeoutError(f"nothing written to {room}")
    ((_, entries),) = found
    return float(json.loads(entries[0][1][b"json"])["sent_at"])


def probe(space: Workspace, hub: object, rooms: list[tuple[int, str]], poll_ms: int, probes: int):
    actors = actors_for(hub)  # type: ignore[arg-type]
    client = space.redis()
    worker = subprocess.Popen(
        [sys.executable, __file__, "--child", str(space.folder / "bench.yaml"), str(poll_ms)],
        env=space.env,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(4)  # start-up, then the consumers' backoff reaches its ceiling
    process = psutil.Process(worker.pid)
    cpu, redis_cpu, began = _cpu(process), _redis_cpu(client), time.monotonic()
    time.sleep(10)
    seconds = time.monotonic() - began
    idle = (_cpu(process) - cpu) / seconds
    redis_idle = (_redis_cpu(client) - redis_cpu) / seconds
    joins, delayed = [], []
    for _ in range(probes):
        for delay, out in ((0, joins), (DELAY_MS, delayed)):
            delivery_id, room = rooms.pop()
            time.sleep(random.uniform(1.0, 1.5))
            sent = time.time()
            actors.deliver.send_with_options(args=(delivery_id,), delay=delay or None)
            out.append(written_at(space, room) - sent - delay / 1000)
    stop(worker)
    return idle, redis_idle, joins, delayed


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _redis_cpu(client) -> float:  # type: ignore[no-untyped-def]
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def ms(values: list[float], q: float) -> str:
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--values", default="1000,200,100,50")
    parser.add_argument("--probes", type=int, default=12)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    values = [int(v) for v in args.values.split(",")]
    print(f"machine: {machine()}")
    print(
        "poll ms | worker idle CPU | redis idle CPU | send to idle queue p50/max ms | delayed 300 ms: late p50/max ms"
    )
    with workspace() as space:
        rooms_needed = len(values) * args.probes * 2
        config = community_file(space.folder, rooms_needed)
        hub = build_hub(load_config(config, space.env), space.env)
        hub.database.upgrade()
        ids = hub.service.run_occurrence(hub.scheduler().fire_now("bench", "icebreaker"))
        with hub.database.transaction() as session:
            rooms = list(
                session.execute(
                    select(DeliveryRow.id, DeliveryRow.address).where(DeliveryRow.id.in_(ids))
                )
            )
        for poll_ms in values:
            idle, redis_idle, joins, delayed = probe(space, hub, rooms, poll_ms, args.probes)
            print(
                f"{poll_ms:7} | {idle:14.1%} | {redis_idle:13.1%} | "
                f"{ms(joins, 0.5):>5} / {ms(joins, 1.0):>5} | {ms(delayed, 0.5):>5} / {ms(delayed, 1.0):>5}",
                flush=True,
            )
        hub.database.dispose()


if __name__ == "__main__":
    main()
