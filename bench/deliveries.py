"""Throughput and memory of the delivery pipeline: one ritual fanned out to N webchat rooms.

    .venv/bin/python bench/deliveries.py [--rooms 1000] [--threads 8]

Uses DATABASE_URL / REDIS_URL when set, else SQLite and an embedded Redis in a temporary
folder. Prints the time to plan the outbox, the time for one `hub worker` process to send
everything, and that worker's peak resident memory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Workers, services, states
from hub.bootstrap import build_hub, load_config


def community_file(directory: Path, rooms: int) -> Path:
    names = "\n".join(f"      r{i}: room{i}" for i in range(rooms))
    path = directory / "bench.yaml"
    path.write_text(
        f"""
community: {{id: bench, name: Bench, timezone: UTC, locale: en}}
platforms:
  webchat:
    spaces:
{names}
rituals:
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [{", ".join(f"r{i}" for i in range(rooms))}]
    questions: ["What did you ship this week?"]
""",
        encoding="utf-8",
    )
    return path


def sent(hub: object) -> int:
    return states(hub)["sent"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    found = services(work)
    env = found.env
    config = community_file(work, args.rooms)
    hub = build_hub(load_config(config, env), env)
    hub.database.upgrade()

    started = time.perf_counter()
    occurrence = hub.scheduler().fire_now("bench", "icebreaker")
    delivery_ids = hub.service.run_occurrence(occurrence)
    planned = len(delivery_ids)
    plan_seconds = time.perf_counter() - started

    from hub.runtime import actors_for

    actors = actors_for(hub)
    with Workers(config, env, threads=args.threads) as workers:
        process = psutil.Process(workers.processes[0].pid)
        started = time.perf_counter()
        peak = 0
        already = sent(hub)
        for delivery_id in delivery_ids:
            actors.deliver.send(delivery_id)
        while sent(hub) < already + planned:
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.05)
        send_seconds = time.perf_counter() - started
    print(f"database: {found.database}; rooms: {args.rooms}; worker threads: {args.threads}")
    print(f"plan outbox: {plan_seconds:.2f} s ({planned / plan_seconds:.0f} deliveries/s)")
    print(
        f"send:        {send_seconds:.2f} s ({planned / send_seconds:.0f} deliveries/s, one worker process)"
    )
    print(f"worker peak RSS: {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
