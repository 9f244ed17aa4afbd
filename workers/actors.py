"""The three actors. Thin: ids in, one core service called, follow-ups sent."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import dramatiq
import structlog
from dramatiq.brokers.redis import RedisBroker
from redis.exceptions import RedisError

from hub.bootstrap import Hub
from hub.core.usecases.inbox import NotYet
from hub.core.usecases.pacing import Clearance
from hub.core.usecases.sending import Attempt, Outcome
from hub.web.metrics import DELIVERY_ATTEMPTS, DELIVERY_CONFIG_ERRORS, DELIVERY_LATENCY

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Actors:
    """The hub's actors, declared on one broker for one composed hub."""

    handle_event: dramatiq.Actor[[int], None]
    run_ritual: dramatiq.Actor[[int], None]
    deliver: dramatiq.Actor[..., Any]
    deliver_at_slot: dramatiq.Actor[..., Any]


def declare_actors(broker: RedisBroker, hub: Hub) -> Actors:
    """Declare the actors on `broker`, bound to `hub`'s services."""
    deliver, at_slot = _deliver_actors(broker, hub)

    # The inbox counts failed attempts (MAX_ATTEMPTS, then a dead letter); the queue's own
    # retries also cover reports that came early. Past both, the scheduler hands rows over.
    @dramatiq.actor(broker=broker, actor_name="handle_event", queue_name="events", max_retries=20)
    def handle_event(inbox_id: int) -> None:
        try:
            delivery_ids = hub.inbox.process(inbox_id, hub.service.handle_event)
        except NotYet as early:
            raise dramatiq.Retry(f"inbox {inbox_id}: {early}", delay=2000) from None
        hand_over(hub, actors, delivery_ids)

    @dramatiq.actor(broker=broker, actor_name="run_ritual", queue_name="rituals", max_retries=20)
    def run_ritual(occurrence_id: int) -> None:
        hand_over(hub, actors, hub.service.run_occurrence(occurrence_id))

    actors = Actors(
        handle_event=handle_event, run_ritual=run_ritual, deliver=deliver, deliver_at_slot=at_slot
    )
    return actors


# A delivery whose reserved slot has come outranks the first pass of a fan-out still working
# through its queue: lower numbers go first in a worker (dramatiq's actor priority).
AT_SLOT_PRIORITY, FIRST_PASS_PRIORITY = 0, 10


def hand_over(hub: Hub, actors: Actors, delivery_ids: list[int]) -> None:
    """Planned deliveries go to the queue already paced, at the slot each one reserved.

    If the limiter cannot answer, they take the first-attempt queue, which paces them."""
    try:
        reserved = hub.delivery.reserve_planned(delivery_ids)
    except RedisError:
        log.warning("delivery.reserve_failed", deliveries=len(delivery_ids))
        reserved = [(delivery_id, Clearance(wait=0.0)) for delivery_id in delivery_ids]
    for delivery_id, clearance in reserved:
        if clearance.owned:
            delay = _slot_ms(clearance.wait) or None  # its slot is now: no trip via the delay queue
            actors.deliver_at_slot.send_with_options(
                args=(delivery_id, clearance.owned), delay=delay
            )
        else:
            actors.deliver.send(delivery_id)


def _deliver_actors(
    broker: RedisBroker, hub: Hub
) -> tuple[dramatiq.Actor[..., Any], dramatiq.Actor[..., Any]]:
    """`deliver` takes a delivery's first attempt and its retries; `deliver_at_slot`, on its own
    queue, brings paced deliveries back at the slot they reserved, ahead of any backlog."""

    async def attempt(delivery_id: int, owned: list[str] | None = None) -> None:
        outcome = await hub.delivery.deliver(delivery_id, owned or ())
        _record(outcome)
        for next_part in outcome.released:
            deliver.send(next_part)
        if outcome.outcome is Outcome.PACED:  # back at the slot it owns, not a retry
            delay = _slot_ms(outcome.retry_after or 0)
            at_slot.send_with_options(args=(delivery_id, outcome.owned), delay=delay)
        elif outcome.outcome is Outcome.RETRY:  # a new message: its slot is reserved afresh
            deliver.send_with_options(args=(delivery_id,), delay=_backoff_ms(outcome))
        elif outcome.outcome is Outcome.BUSY:  # the same message, owning what it owned
            raise dramatiq.Retry(
                f"delivery {delivery_id}: busy", delay=_jittered_ms(outcome.retry_after or 1)
            )

    deliver: dramatiq.Actor[..., Any] = dramatiq.actor(
        actor_name="deliver",
        queue_name="deliveries",
        priority=FIRST_PASS_PRIORITY,
        broker=broker,
        max_retries=100,
    )(attempt)
    at_slot: dramatiq.Actor[..., Any] = dramatiq.actor(
        actor_name="deliver_at_slot",
        queue_name="paced",
        priority=AT_SLOT_PRIORITY,
        broker=broker,
        max_retries=100,
    )(attempt)
    return deliver, at_slot


def _record(attempt: Attempt) -> None:
    if attempt.platform is None:
        return
    DELIVERY_ATTEMPTS.labels(attempt.platform, attempt.outcome.value).inc()
    if attempt.misconfigured:
        DELIVERY_CONFIG_ERRORS.labels(attempt.platform).inc()
    if attempt.latency is not None:
        DELIVERY_LATENCY.labels(attempt.platform).observe(attempt.latency)


def _slot_ms(wait: float) -> int:
    """The reserved slot, rounded up: never released before it."""
    return -(-int(wait * 1_000_000) // 1000)


def _backoff_ms(attempt: Attempt) -> int:
    """The platform's retry-after, else 1 s doubling per attempt up to 10 minutes; the
    database's attempt count, not the queue's, decides when a delivery gives up."""
    if attempt.retry_after is not None:
        return _jittered_ms(attempt.retry_after)
    return _jittered_ms(min(2.0 ** max(attempt.attempts - 1, 0), 600.0))


def _jittered_ms(seconds: float) -> int:
    return int(seconds * 1000) + random.randint(0, 250)
