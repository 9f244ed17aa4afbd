"""The long-running loops: Dramatiq workers and the scheduler, for `hub worker|scheduler|run`."""

from __future__ import annotations

import threading

import dramatiq
import structlog
from redis.exceptions import RedisError

from hub.bootstrap import Hub
from hub.core.model.events import Event
from hub.core.ports import Enqueue
from hub.core.usecases.inbox import Inbox
from hub.core.usecases.scheduler import Scheduler
from hub.web.metrics import EVENTS_RECEIVED
from workers.actors import Actors
from workers.health import Heartbeat
from workers.inflight import lost, requeue_lost_deliveries

log = structlog.get_logger(__name__)

IDLE_POLL_MS = 100
"""The longest a Dramatiq consumer sleeps between two polls of an empty queue (its
`worker_timeout`). It bounds two delays: a message sent to a queue that was idle waits for the
next poll (a join after a quiet second, then its welcome), and a delayed message (a paced
delivery's reserved slot, a retry) leaves the delay queue only when that consumer next wakes.
Dramatiq's default, 1000 ms, made both up to a second late, in bunches (measured: a delayed
delivery 594 ms late at the median, 1158 ms at worst; at 100 ms: 79 and 136 ms). The price is
idle CPU: each of a worker's eight consumers (events, rituals, deliveries, paced and their
delay queues) polls Redis 10 to 20 times a second, 5.8 % of a core for the worker and 1.4 % for
Redis on the 2-core development machine, against 0.7 % and 0.3 % at 1000 ms
(`bench/idle_poll.py`; decision 022).
"""


def event_enqueuer(inbox: Inbox, actors: Actors) -> Enqueue:
    """What listeners call with each inbound event: keep it in the inbox, then wake a worker.

    Once `inbox.accept` returns, the event is durable; a broker that cannot take the wake-up
    call now only delays it until the scheduler hands the row over again.
    """

    def enqueue(event: Event) -> None:
        inbox_id = inbox.accept(event)
        EVENTS_RECEIVED.labels(event.platform, event.kind).inc()
        if inbox_id is None:  # a platform's retry of an event already kept
            return
        try:
            actors.handle_event.send(inbox_id)
        except (RedisError, OSError) as error:
            log.warning("inbox.queue_unavailable", inbox_id=inbox_id, error=type(error).__name__)

    return enqueue


def start_worker(
    broker: dramatiq.Broker, threads: int = 8, idle_poll_ms: int = IDLE_POLL_MS
) -> dramatiq.Worker:
    """Start consuming every queue in background threads, polling idle queues every
    `idle_poll_ms` at most (`IDLE_POLL_MS`; the idle-poll bench tries others)."""
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=idle_poll_ms)
    worker.start()
    log.info("worker.started", threads=threads, queues=sorted(broker.get_declared_queues()))
    return worker


def worker_alive(worker: dramatiq.Worker) -> bool:
    """Whether every consumer and worker thread still runs: what a worker's heartbeat vouches for."""
    threads = [*worker.consumers.values(), *worker.workers]
    return bool(threads) and all(thread.is_alive() for thread in threads)


def scheduler_tick(scheduler: Scheduler, actors: Actors) -> int:
    """One pass: fire due occurrences, requeue work (rituals, deliveries, inbound events)
    whose queue message was lost or never sent (the broker is asked what it still holds, so
    nothing gets a second message), and now and then apply the retention."""
    fired = scheduler.claim_due()
    for occurrence_id in fired + lost(actors.run_ritual, scheduler.stale_occurrences()):
        actors.run_ritual.send(occurrence_id)
    requeue_lost_deliveries(scheduler, actors.deliver, actors.deliver_at_slot)
    for inbox_id in lost(actors.handle_event, scheduler.stale_inbox()):
        actors.handle_event.send(inbox_id)
    pruned = {table: count for table, count in scheduler.prune_due().items() if count}
    if pruned:
        log.info("retention.pruned", **pruned)
    if fired:
        log.info("scheduler.fired", occurrences=fired)
    return len(fired)


def run_scheduler(
    hub: Hub,
    actors: Actors,
    stop: threading.Event,
    interval: float = 10.0,
    heartbeat: Heartbeat | None = None,
) -> None:
    """Tick until `stop` is set; a failing tick is logged and retried on the next one.

    The heartbeat beats after every tick, so a scheduler stuck inside a tick goes unhealthy.
    """
    log.info("scheduler.started", interval=interval)
    scheduler = hub.scheduler()
    while not stop.is_set():
        try:
            scheduler_tick(scheduler, actors)
        except Exception:
            log.exception("scheduler.tick_failed")
        if heartbeat is not None:
            heartbeat.beat()
        stop.wait(interval)
