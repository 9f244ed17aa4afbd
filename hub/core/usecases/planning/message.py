"""What the planner is asked to plan: a ritual's outbound message, for one cause."""

from __future__ import annotations

from dataclasses import dataclass

from hub.core.model.deliveries import Destination, idempotency_key
from hub.core.model.messages import Outbound


@dataclass(frozen=True, slots=True)
class Message:
    """One outbound message of `ritual`, planned because of `cause` (an event or occurrence)."""

    ritual: str
    cause: str
    outbound: Outbound

    def key(self, destination: Destination, part: int) -> str:
        """The idempotency key of one part to one destination."""
        return idempotency_key(self.cause, self.outbound.key, destination, part)
