"""Rate limits: what a platform allows, and the limiter that paces sends across workers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class RateLimit:
    """At most `count` sends per `seconds`, counted per `scope`.

    Scopes: "bot" (every send of one platform account), "chat" (each destination), "space"
    (each space, not private chats), "private" (each private chat). Sends are spaced evenly
    (`seconds / count` apart); `burst` lets that many go at once where the platform allows it.
    """

    scope: Literal["bot", "chat", "space", "private"]
    count: int
    seconds: float
    burst: int = 1


Budget = tuple[str, RateLimit]
"""One rate budget a send spends from: its shared key and its limit."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Slot:
    """A reserved slot, `wait` seconds from now (0: go now), owned by whoever reserved it.

    `pending`: bot-wide budgets that were free before the slot and so were not booked ahead
    (that would hold back every other chat until then); they are taken when the slot comes.
    """

    wait: float
    pending: tuple[Budget, ...] = ()


class RateLimiter(Protocol):
    """Paces sends across every worker process, so the platform never has to say 429."""

    def reserve(self, budgets: Sequence[Budget], owned: Sequence[Budget] = ()) -> Slot:
        """Reserve the earliest slot every budget allows, all at once. Budgets in `owned` are
        already the caller's (reserved for a slot that has come): they follow if it moves."""
        ...

    def pause(self, budgets: Sequence[Budget], seconds: float) -> None:
        """The platform said 429: no budget here hands out a slot for `seconds` from now."""
        ...

    def admit(self, budgets: Sequence[Budget], token: str) -> float:
        """Right before a send: record it under every budget if each one's sliding window
        (at most `count` in any `seconds`, as the platforms count) has room, and return 0;
        else record nothing and return the seconds until there will be room. Reservations
        schedule sends; this keeps a send that comes late, after others, from bunching."""
        ...
