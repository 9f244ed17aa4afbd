"""The baseline of B2: a raw Dramatiq worker whose one actor does nothing.

    python bench/noop_worker.py REDIS_URL THREADS

Dramatiq's default middleware on a plain RedisBroker (namespace `bench-noop`), a synchronous
no-op actor, and the same thread count and idle poll as `hub worker`; stops on SIGTERM.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import dramatiq
from dramatiq.brokers.redis import RedisBroker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workers.processes import IDLE_POLL_MS

NAMESPACE = "bench-noop"
QUEUE_KEY = f"{NAMESPACE}:default.msgs"


def declare(redis_url: str) -> dramatiq.Actor:  # type: ignore[type-arg]
    """The no-op actor on its own broker (the bench enqueues through it too)."""
    broker = RedisBroker(url=redis_url, namespace=NAMESPACE)  # type: ignore[no-untyped-call]

    @dramatiq.actor(broker=broker, actor_name="noop", queue_name="default", max_retries=0)
    def noop(n: int) -> None:
        """Nothing: what is left is Dramatiq's own cost per message."""

    return noop


def main() -> None:
    noop = declare(sys.argv[1])
    worker = dramatiq.Worker(
        noop.broker, worker_threads=int(sys.argv[2]), worker_timeout=IDLE_POLL_MS
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    worker.start()
    done.wait()
    worker.stop()


if __name__ == "__main__":
    main()
