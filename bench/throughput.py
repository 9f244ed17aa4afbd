"""B2: deliveries/s of one `hub worker` process, beside a raw Dramatiq no-op actor.

    .venv/bin/python bench/throughput.py [--deliveries 2000] [--threads 8] [--rounds 2]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/throughput.py

One icebreaker fanned out to N webchat rooms (a platform whose send is one XADD on the hub's
own Redis: no latency, no rate limit), its N deliveries queued, then one `hub worker` started
to send them all; then the same number of messages to a no-op actor on the same Redis, in a
raw Dramatiq worker with as many threads. Each rate runs from the first acknowledged message to
the last (start-up excluded); rounds alternate the two. Prints both rates, their ratio (target
≥ 0.5), the time to plan the outbox and the worker's peak resident memory.

`--profile FILE` records the hub worker with py-spy (a bench-only tool: `pip install py-spy`),
all threads, as a flame graph (FILE.svg) or, with FILE.txt, collapsed stacks.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import Workspace, community_file, drain_rate, hub_process, machine, stop, workspace
from noop_worker import QUEUE_KEY, declare

from hub.bootstrap import Hub, build_hub, load_config
from hub.core.storage.orm import DeliveryRow
from hub.runtime import actors_for

DELIVERIES_KEY = "hub:deliveries.msgs"


def sent(hub: Hub) -> int:
    with hub.database.transaction() as session:
        return int(session.scalar(select(func.count()).where(DeliveryRow.state == "sent")) or 0)


def peak_rss(pid: int) -> int:
    """The process's high-water resident memory (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def hub_round(
    hub: Hub, config: Path, space: Workspace, threads: int, profile: str | None
) -> tuple[float, float, int]:
    """Plan one occurrence, queue its deliveries, start a worker: (plan s, deliveries/s, RSS)."""
    before = sent(hub)
    started = time.perf_counter()
    delivery_ids = hub.service.run_occurrence(hub.scheduler().fire_now("bench", "icebreaker"))
    plan_seconds = time.perf_counter() - started
    actors = actors_for(hub)
    for delivery_id in delivery_ids:
        actors.deliver.send(delivery_id)
    worker = hub_process(["worker", "--threads", str(threads)], config, space)
    spies: list[subprocess.Popen[bytes]] = []
    cpu: list[float] = []
    try:
        rate = drain_rate(
            space.redis(),
            DELIVERIES_KEY,
            len(delivery_ids),
            on_first=lambda: (
                cpu.append(_cpu(worker.pid))
                or (profile and spies.append(_spy(worker.pid, profile)))
            ),
        )
        cpu.append(_cpu(worker.pid))
        rss = peak_rss(worker.pid)
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
            spy.wait()
        stop(worker)
    if sent(hub) != before + len(delivery_ids):
        raise SystemExit(f"only {sent(hub) - before} of {len(delivery_ids)} deliveries were sent")
    print(f"  hub worker CPU: {(cpu[1] - cpu[0]) / len(delivery_ids) * 1000:.2f} ms a delivery")
    return plan_seconds, rate, rss


def _cpu(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def _spy(pid: int, profile: str) -> subprocess.Popen[bytes]:
    spy = str(Path(sys.executable).with_name("py-spy"))
    form = "raw" if profile.endswith(".txt") else "flamegraph"
    return subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(pid),
            "--threads",
            "--rate",
            "250",
            "--format",
            form,
            "--output",
            profile,
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def noop_round(space: Workspace, messages: int, threads: int) -> float:
    """The same number of messages through a raw Dramatiq no-op actor: messages/s."""
    noop = declare(space.redis_url)
    for n in range(messages):
        noop.send(n)
    here = Path(__file__).resolve().parent
    worker = subprocess.Popen(
        [sys.executable, str(here / "noop_worker.py"), space.redis_url, str(threads)],
        env=space.env,
        stderr=subprocess.DEVNULL,
    )
    try:
        return drain_rate(space.redis(), QUEUE_KEY, messages)
    finally:
        stop(worker)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", help="py-spy output of the first hub round (.svg or .txt)")
    args = parser.parse_args()
    with workspace() as space:
        config = community_file(space.folder, args.deliveries)
        hub = build_hub(load_config(config, space.env), space.env)
        hub.database.upgrade()
        hubs, noops, plans, rss = [], [], [], 0
        for n in range(args.rounds):
            plan, rate, peak = hub_round(
                hub, config, space, args.threads, args.profile if n == 0 else None
            )
            hubs.append(rate)
            plans.append(plan)
            rss = max(rss, peak)
            noops.append(noop_round(space, args.deliveries, args.threads))
            print(f"round {n + 1}: hub {rate:.0f}/s, no-op {noops[-1]:.0f}/s", flush=True)
        hub.database.dispose()
    hub_rate, noop_rate = statistics.median(hubs), statistics.median(noops)
    print(f"machine: {machine()}")
    print(
        f"database: {space.database}; deliveries: {args.deliveries}; "
        f"worker threads: {args.threads}; rounds: {args.rounds} (medians)"
    )
    plan = statistics.median(plans)
    print(f"plan outbox: {plan:.2f} s ({args.deliveries / plan:.0f} deliveries/s)")
    print(f"hub worker:  {hub_rate:.0f} deliveries/s")
    print(f"raw no-op:   {noop_rate:.0f} messages/s (Dramatiq, same Redis, same threads)")
    print(f"ratio:       {hub_rate / noop_rate:.2f} (target >= 0.5)")
    print(f"worker peak RSS: {rss / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
