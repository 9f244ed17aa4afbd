"""Pacing: the budgets a send spends from, reserved together before it goes.

Budgets are kept per platform account (`Adapter.account`), so every community and worker that
sends as one bot or one WhatsApp sender shares them. A reservation returns the wait until the
slot it took; the delivery is scheduled for that slot, owning it, instead of holding a worker
while it waits. What it owns is named by scope ("bot", "chat"…), which is how the queue carries
it to the delivery's next attempt.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from hub.core.model.deliveries import Destination
from hub.core.ports import Adapter, Budget, RateLimit, RateLimiter

HEADROOM = 0.10
"""Sends are paced this much below each published limit: a send released at its slot reaches
the platform a few tens of milliseconds later or earlier than the one before it (queue release,
connection, the adapter's own calls), and the platforms count in sliding windows."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Clearance:
    """Go in `wait` seconds (0: now), owning the budgets of the `owned` scopes (all of them
    unless a bot-wide one was left to take at the slot)."""

    wait: float
    owned: tuple[str, ...] = ()


class Pacer:
    """Reserves slots through the shared RateLimiter (none: every send may go at once)."""

    def __init__(self, limiter: RateLimiter | None) -> None:
        self.limiter = limiter

    def clearance(
        self, destination: Destination, adapter: Adapter, owned: Collection[str] = ()
    ) -> Clearance:
        """Reserve what this send does not own yet; wait 0 if it may go now."""
        return self._clearance(self.budgets(destination, adapter), owned)

    def _clearance(self, budgets: list[Budget], owned: Collection[str]) -> Clearance:
        mine = [b for b in budgets if b[1].scope in owned]
        if self.limiter is None or len(mine) == len(budgets):
            return Clearance(wait=0.0, owned=tuple(limit.scope for _, limit in budgets))
        slot = self.limiter.reserve(budgets, mine)
        kept = tuple(limit.scope for key, limit in budgets if (key, limit) not in slot.pending)
        return Clearance(wait=slot.wait, owned=kept)

    def clear_to_send(self, budgets: list[Budget], owned: Collection[str], token: str) -> Clearance:
        """The last check before a send under `budgets` (see `budgets`): its slot (reserved
        now if not yet), then room in every budget's window at this very moment. A send that
        comes late, behind others released together, waits for room instead of making the
        platform count one too many."""
        clearance = self._clearance(budgets, owned)
        if clearance.wait > 0 or self.limiter is None:
            return clearance
        room = self.limiter.admit(budgets, token)
        return Clearance(wait=room, owned=clearance.owned)

    def pause(self, destination: Destination, adapter: Adapter, seconds: float) -> None:
        """The platform said 429: every worker holds back this send's budgets for `seconds`."""
        budgets = self.budgets(destination, adapter)
        if self.limiter and budgets and seconds > 0:
            self.limiter.pause(budgets, seconds)

    @staticmethod
    def budgets(destination: Destination, adapter: Adapter) -> list[Budget]:
        """The key and limit of every budget a send to `destination` spends from."""
        return [
            (_key(limit, destination, adapter.account), _with_headroom(limit))
            for limit in adapter.capabilities.rate_limits
            if _applies(limit, destination)
        ]


def _with_headroom(limit: RateLimit) -> RateLimit:
    return replace(limit, seconds=limit.seconds * (1 + HEADROOM))


def _applies(limit: RateLimit, destination: Destination) -> bool:
    return limit.scope in ("bot", "chat") or (limit.scope == "private") == destination.private


def _key(limit: RateLimit, destination: Destination, account: str) -> str:
    where = "*" if limit.scope == "bot" else destination.address
    return f"{destination.platform}:{account}:{limit.scope}:{where}"
