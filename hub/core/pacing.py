"""Pacing: hold a send until every rate limit of its platform allows it.

Limits are shared by all workers through the injected RateLimiter (Redis in production), so ten
workers do not each believe they own the platform's budget. Short waits are slept through;
longer ones hand the delivery back to the queue with a retry-after.
"""

from __future__ import annotations

import asyncio

from hub.core.delivery import Delivery
from hub.core.ports import RateLimit, RateLimiter

# Waits up to this long are slept inside the worker; longer ones go back to the queue.
INLINE_WAIT = 1.0


class Pacer:
    """Asks the limiter for a slot under each limit that applies to a delivery."""

    def __init__(self, limiter: RateLimiter | None) -> None:
        self.limiter = limiter

    async def clearance(self, delivery: Delivery, limits: tuple[RateLimit, ...]) -> float:
        """0 once the delivery may go now; otherwise the seconds to postpone it by."""
        while True:
            wait = await asyncio.to_thread(self._reserve, delivery, limits)
            if wait <= 0 or wait > INLINE_WAIT:
                return max(wait, 0.0)
            await asyncio.sleep(wait)

    def _reserve(self, delivery: Delivery, limits: tuple[RateLimit, ...]) -> float:
        if self.limiter is None:
            return 0.0
        for limit in limits:
            if _applies(limit, delivery):
                wait = self.limiter.reserve(_key(limit, delivery), limit)
                if wait > 0:
                    return wait
        return 0.0


def _applies(limit: RateLimit, delivery: Delivery) -> bool:
    private = delivery.destination.private
    return limit.scope in ("bot", "chat") or (limit.scope == "private") == private


def _key(limit: RateLimit, delivery: Delivery) -> str:
    destination = delivery.destination
    where = "*" if limit.scope == "bot" else destination.address
    return f"{destination.platform}:{destination.community_id}:{limit.scope}:{where}"
