"""Heartbeats: how a container's health check tells that its worker, scheduler or gateway lives.

These processes serve no HTTP, so each one refreshes a Redis key with a short TTL,
`hub:health:<role>:<host>:<pid>`, while its threads run; `hub health <role>`, run beside it
in the same container (same host name), passes when such a key is fresh and the database and
the broker answer. A process that stops cleanly deletes its key, so it is unhealthy at once.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum

import redis
import structlog

from hub.core.storage.db import Database

log = structlog.get_logger(__name__)

EVERY = 5.0  # seconds between beats of the worker and the gateway
TTL = 30  # seconds a beat counts: a few missed beats (or a slow scheduler tick) are no outage


class Role(StrEnum):
    """The processes that have no /healthz of their own."""

    WORKER = "worker"
    SCHEDULER = "scheduler"
    GATEWAY = "gateway"


def _prefix(role: Role) -> str:
    return f"hub:health:{role}:{socket.gethostname()}:"


def _client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, socket_timeout=3, socket_connect_timeout=3)


class Heartbeat:
    """This process's key; `beat` refreshes it, `stop` deletes it."""

    def __init__(self, redis_url: str, role: Role) -> None:
        self.role = role
        self.key = f"{_prefix(role)}{os.getpid()}"
        self.client = _client(redis_url)
        self.failing = False

    def beat(self) -> None:
        """Refresh the key; while the broker is down, log once instead of raising (work goes on)."""
        try:
            self.client.set(self.key, int(time.time()), ex=TTL)
        except redis.RedisError as error:
            if not self.failing:
                log.warning("heartbeat.failed", role=str(self.role), error=type(error).__name__)
            self.failing = True
        else:
            self.failing = False

    def stop(self) -> None:
        """Delete the key, so a stopped process is unhealthy now, not TTL seconds later."""
        with suppress(redis.RedisError):
            self.client.delete(self.key)
        self.client.close()


@contextmanager
def beating(
    redis_url: str, role: Role, alive: Callable[[], bool] = lambda: True
) -> Iterator[Heartbeat]:
    """Beat now, then every EVERY seconds from a thread, as long as `alive()` (the process's threads)."""
    heartbeat, done = Heartbeat(redis_url, role), threading.Event()

    def loop() -> None:
        while not done.wait(EVERY) and alive():
            heartbeat.beat()

    if alive():
        heartbeat.beat()
    thread = threading.Thread(target=loop, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield heartbeat
    finally:
        done.set()
        thread.join(EVERY)
        heartbeat.stop()


def check(database: Database, redis_url: str, role: Role) -> list[str]:
    """What keeps this host's `role` process from being healthy; empty when it is."""
    problems = []
    try:
        database.ping()
    except Exception as error:  # the type only: a driver message may carry the URL
        problems.append(f"the database does not answer ({type(error).__name__})")
    client = _client(redis_url)
    try:
        if not any(client.scan_iter(match=f"{_prefix(role)}*", count=1000)):
            problems.append(f"no {role} on this host has beaten in the last {TTL} s")
    except redis.RedisError as error:
        problems.append(f"the broker does not answer ({type(error).__name__})")
    finally:
        client.close()
    return problems
