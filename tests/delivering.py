"""Driving a DeliveryService the way the `deliver` actor does, and a platform that records it.

`deliver_as_the_queue_would` brings each paced delivery back at its reserved slot with what it
owns, each retry after its retry-after, and each released part once the part before it is sent,
all concurrently, as worker threads would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.core.model.deliveries import Destination, SentRef
from hub.core.model.messages import Outbound
from hub.core.ports import Capabilities, RateLimit
from hub.core.usecases.sending import DeliveryService, Outcome

FINISHED = (Outcome.SENT, Outcome.ALREADY_DONE, Outcome.FAILED, Outcome.UNCERTAIN)


async def deliver_as_the_queue_would(service: DeliveryService, ids: list[int]) -> None:
    """Attempt every delivery until it is finished, honouring waits; parts released follow."""

    async def one(delivery_id: int) -> None:
        owned: tuple[str, ...] = ()
        while True:
            attempt = await service.deliver(delivery_id, owned)
            await asyncio.gather(*(one(released) for released in attempt.released))
            if attempt.outcome in FINISHED:
                return
            owned = attempt.owned if attempt.outcome is Outcome.PACED else owned
            await asyncio.sleep(attempt.retry_after or 0)

    await asyncio.gather(*(one(i) for i in ids))


@dataclass
class ScriptedPlatform:
    """Renders every message as `parts` payloads and records each send in order.

    `before_send(destination, payload)` may raise (a platform error) or act (a STOP arriving
    while the request is in flight); it runs in a thread, like a slow network call.
    """

    parts: int = 1
    rate_limits: tuple[RateLimit, ...] = ()
    account: str = "scripted"
    deduplicates: bool = False
    before_send: Callable[[Destination, Mapping[str, Any]], None] | None = None
    sent: list[tuple[str, str, int]] = field(default_factory=list)
    """(address, message key, part) of each accepted send, in the order they arrived."""

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            max_text_length=1000,
            markup="html",
            rate_limits=self.rate_limits,
            deduplicates=self.deduplicates,
        )

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        return [{"key": outbound.key, "part": n} for n in range(self.parts)]

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        if self.before_send is not None:
            await asyncio.to_thread(self.before_send, destination, payload)
        self.sent.append((destination.address, str(payload["key"]), int(payload["part"])))
        return SentRef(message_id=f"m{len(self.sent)}")

    def parts_sent_to(self, address: str) -> dict[str, list[int]]:
        """The parts each message to `address` arrived as, in arrival order."""
        found: dict[str, list[int]] = {}
        for where, key, part in self.sent:
            if where == address:
                found.setdefault(key, []).append(part)
        return found
