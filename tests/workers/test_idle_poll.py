"""The idle poll of `hub worker` reaches Dramatiq: every consumer, the delay queues' included,
sleeps at most IDLE_POLL_MS between two polls of an empty queue. (What each value costs in idle
CPU and buys in latency is measured by bench/idle_poll.py, not asserted here.)"""

from __future__ import annotations

import time

import dramatiq

from workers.broker import make_broker
from workers.processes import IDLE_POLL_MS, start_worker


def test_every_consumer_polls_an_idle_queue_at_the_tuned_interval(redis_url: str) -> None:
    broker = make_broker(redis_url)

    @dramatiq.actor(broker=broker, queue_name="deliveries")
    def deliver() -> None:
        """A queue and its delay queue, as the hub's deliveries have."""

    worker = start_worker(broker, threads=1)
    try:
        threads = worker.consumers
        assert {"deliveries", "deliveries.DQ"} <= set(threads)
        deadline = time.monotonic() + 10
        while any(t.consumer is None for t in threads.values()) and time.monotonic() < deadline:
            time.sleep(0.01)
        timeouts = {name: thread.consumer.timeout for name, thread in threads.items()}
    finally:
        worker.stop()
    assert timeouts == dict.fromkeys(threads, IDLE_POLL_MS)
    assert IDLE_POLL_MS < 1000, "Dramatiq's default: a second late after a quiet second"
