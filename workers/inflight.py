"""What the broker still holds, so the scheduler requeues only work whose message was lost.

Dramatiq's Redis broker keeps every enqueued message in the hash `<namespace>:<queue>.msgs`
until a worker acks it: a message waiting in its queue, prefetched by a worker, held in a
worker's memory until its delay is over or being processed is there; a message lost with a Redis
that restarted empty, or moved to the dead-letter queue, is not. Delayed messages (a paced
delivery waiting for its slot, a retry) live in `<queue>.DQ.msgs` until they are due, then move
to the queue itself: enqueued there before they are acked on the delay queue, so reading the
delay queue first and the queue second finds a message that moves while it is read.

The scheduler's candidates come from the database (`Scheduler.stale_*`); this module subtracts
what the broker holds and sends the rest, once per loss: see decision 018.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import dramatiq
import structlog
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import dq_name

from hub.core.usecases.scheduler import IdleDeliveries, Scheduler

log = structlog.get_logger(__name__)

SCAN_COUNT = 1000
"""Hash fields read per HSCAN call: one round trip per thousand messages."""


def held(*actors: dramatiq.Actor[..., Any]) -> set[int] | None:
    """The first argument (a row id) of every message of these actors the broker holds,
    delayed ones included; None on a broker that cannot tell (not Redis)."""
    found: set[int] = set()
    for actor in actors:
        broker = actor.broker
        if not isinstance(broker, RedisBroker):
            return None
        for queue in (dq_name(actor.queue_name), actor.queue_name):  # this order: see above
            key = f"{broker.namespace}:{queue}.msgs"
            for _, data in broker.client.hscan_iter(key, count=SCAN_COUNT):
                row_id = _row_id(data, actor.actor_name)
                if row_id is not None:
                    found.add(row_id)
    return found


def _row_id(data: bytes, actor_name: str) -> int | None:
    try:
        message = dramatiq.Message.decode(data)
    except dramatiq.errors.DecodeError:
        return None
    if message.actor_name != actor_name or not message.args:
        return None
    first = message.args[0]
    return first if isinstance(first, int) else None


def lost(actor: dramatiq.Actor[..., Any], candidates: Iterable[int]) -> list[int]:
    """The candidates for which the broker holds no message of `actor`.

    No candidate, no broker read: an idle tick costs only the database's candidate query.
    """
    candidates = list(candidates)
    if not candidates:
        return []
    holding = held(actor)
    if holding is None:
        return candidates
    return [row_id for row_id in candidates if row_id not in holding]


def requeue_lost_deliveries(
    scheduler: Scheduler,
    deliver: dramatiq.Actor[..., Any],
    at_slot: dramatiq.Actor[..., Any] | None = None,
) -> int:
    """Send a new message for every idle pending delivery the broker no longer holds, neither
    as a first attempt or retry (`deliver`) nor waiting for its reserved slot (`at_slot`).

    Every page of candidates is read before the broker is, and each requeue is a conditional
    update that fails if a worker touched the row since its page was read (or another
    scheduler requeued it first): a delivery whose message moved while the broker was read
    keeps its one message. Returns the number requeued, logged as `deliveries.requeued`.
    """
    pages = list(_idle_pages(scheduler))
    if not pages:
        return 0
    holding = held(deliver, *([at_slot] if at_slot else []))
    requeued = 0
    for idle in pages:
        missing = [i for i in idle.ids if holding is None or i not in holding]
        for delivery_id in scheduler.requeue_deliveries(idle, missing):
            deliver.send(delivery_id)
            requeued += 1
    if requeued:
        log.info("deliveries.requeued", count=requeued)
    return requeued


def _idle_pages(scheduler: Scheduler) -> Iterator[IdleDeliveries]:
    idle = scheduler.stale_deliveries()
    while idle.ids:
        yield idle
        idle = scheduler.stale_deliveries(after=idle.ids[-1])
