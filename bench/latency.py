"""B3: join → welcome latency, p50/p99, at a steady rate of webchat joins.

    .venv/bin/python bench/latency.py [--rates 10,50] [--seconds 10] [--threads 8]

`hub serve` and one `hub worker` (8 threads), started from this tree on an embedded Redis and
SQLite (or REDIS_URL / DATABASE_URL). Joins are posted to /chat/bench/r0/join at a fixed rate
(open loop: each at its own time, whether or not the last one was answered); a reader follows
the room's stream, where each public welcome is written with the time it was written. The
latency of a join is that time minus the moment its request was sent: the web process's
inbox write, the queue, the welcome ritual, the outbox, the queue again and the delivery.
Target: p99 ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import Workspace, community_file, hub_process, machine, stop, workspace

from hub.adapters.webchat import streams
from hub.bootstrap import build_hub, load_config


class Welcomes(threading.Thread):
    """Follows the room's stream: when each member's welcome was written, by name."""

    def __init__(self, space: Workspace) -> None:
        super().__init__(daemon=True)
        self.client = space.redis()
        self.key = streams.room_stream("bench", "room0")
        self.written: dict[str, float] = {}
        self.running = True

    def run(self) -> None:
        last = "$"
        while self.running:
            for _, entries in self.client.xread({self.key: last}, block=200) or []:
                for entry_id, fields in entries:
                    last = entry_id
                    entry = json.loads(fields[b"json"])
                    for word in entry.get("text", "").split():
                        if word.strip("!,.@").startswith("Joiner"):
                            self.written.setdefault(word.strip("!,.@"), float(entry["sent_at"]))


async def joins(base: str, prefix: str, rate: float, seconds: float) -> dict[str, float]:
    """Post rate × seconds joins, each at its time; returns when each was sent, by name."""
    sent: dict[str, float] = {}
    count = int(rate * seconds)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def join(n: int, at: float) -> None:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            name = f"Joiner{prefix}x{n:04d}"
            sent[name] = time.time()
            response = await client.post("/chat/bench/r0/join", json={"name": name})
            response.raise_for_status()

        start = time.monotonic() + 0.2
        await asyncio.gather(*(join(n, start + n / rate) for n in range(count)))
    return sent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def wait_healthy(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("hub serve did not start")


def measure(
    space: Workspace, base: str, welcomes: Welcomes, prefix: str, rate: float, seconds: float
) -> list[float]:
    sent = asyncio.run(joins(base, prefix, rate, seconds))
    deadline = time.monotonic() + 30
    while any(name not in welcomes.written for name in sent) and time.monotonic() < deadline:
        time.sleep(0.05)
    missing = [name for name in sent if name not in welcomes.written]
    if missing:
        raise SystemExit(f"{len(missing)} of {len(sent)} joins were not welcomed within 30 s")
    return [welcomes.written[name] - at for name, at in sent.items()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="10,50")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with workspace() as space:
        config = community_file(space.folder, 1, welcome=True)
        hub = build_hub(load_config(config, space.env), space.env)
        hub.database.upgrade()
        hub.database.dispose()
        web = hub_process(["serve", "--port", str(port)], config, space, space.folder / "serve.log")
        worker = hub_process(
            ["worker", "--threads", str(args.threads)], config, space, space.folder / "worker.log"
        )
        welcomes = Welcomes(space)
        welcomes.start()
        try:
            wait_healthy(base)
            measure(space, base, welcomes, "warm", 5, 1)  # first requests, pools, imports
            print(f"machine: {machine()}")
            print(
                f"database: {space.database}; one hub serve, one hub worker ({args.threads} threads)"
            )
            for rate in (float(r) for r in args.rates.split(",")):
                time.sleep(2)  # an idle queue first: the consumers' poll backs off
                latencies = measure(space, base, welcomes, f"r{rate:.0f}", rate, args.seconds)
                print(
                    f"{rate:4.0f} joins/s, {len(latencies)} joins: join → welcome "
                    f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
                    f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, "
                    f"max {max(latencies) * 1000:.0f} ms (target p99 <= 200 ms)",
                    flush=True,
                )
        finally:
            welcomes.running = False
            stop(worker)
            stop(web)


if __name__ == "__main__":
    main()
