"""Builders shared by integration tests: a community file on disk and a hub composed from it."""

from __future__ import annotations

import asyncio
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hub.bootstrap import Hub, build_hub, load_config

COMMUNITY_YAML = """
community: {id: inside-freelancing, name: Inside Freelancing, timezone: Europe/Paris, locale: fr}
platforms:
  webchat:
    spaces: {main: salon, annonces: news}
    secret: ${WEBCHAT_SECRET:-test-secret}
rituals:
  welcome: {spaces: [main]}
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [main, annonces]
    questions: ["Premier client ?", "Outil préféré ?", "Meilleur conseil ?"]
"""


def write_config(directory: Path, text: str = COMMUNITY_YAML, name: str = "community.yaml") -> Path:
    """Write a community file and return its path."""
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def compose(
    config: Path,
    database_url: str,
    redis_url: str,
    *,
    upgrade: bool = True,
    secrets: dict[str, str] | None = None,
) -> Hub:
    """The hub a process would build from `config`, on the given database and Redis."""
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, **(secrets or {})}
    hub = build_hub(load_config(config, env), env)
    if upgrade:
        hub.database.upgrade()
    return hub


def wait_for(
    predicate: Callable[[], object], timeout: float = 30, what: str = "the condition"
) -> None:
    """Poll until `predicate()` is truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def send_paced(sender: Any, pacer: Any, delivery: Any, times: int) -> None:
    """Send one delivery `times` times at once, each waiting for the pacer's clearance."""

    async def one() -> None:
        while (wait := await pacer.clearance(delivery, sender.capabilities.rate_limits)) > 0:
            await asyncio.sleep(wait)
        await sender.send(delivery.destination, delivery.payload)

    await asyncio.gather(*(one() for _ in range(times)))
