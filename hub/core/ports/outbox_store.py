"""Repositories the outbox planner and the occurrences need.

`Outbox` is what the planner (`hub.core.usecases.planning`) reads and writes in one community's
unit of work: where a message may go (members' accounts, opt-in lists, moved addresses) and the
delivery rows it plans. Storage implements it in `hub.core.storage.repositories.outbox`, the
tests' fake in `tests/fakes/repositories/outbox.py`. `OccurrenceStore` is the ritual
runner's: the occurrence rows it locks and creates.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from hub.core.model.deliveries import DeliveryState, Destination


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """A member's account the hub may write to (reachable, not opted out)."""

    community_id: str
    platform: str
    user_id: str
    member_id: int
    private_chat_open: bool = False


@dataclass(frozen=True, slots=True)
class LastSeen:
    """When an account last wrote (what opens a reply window), and its name (for templates)."""

    at: datetime | None
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedDelivery:
    """One delivery row to write, once: a second write of the same `key` changes nothing."""

    key: str
    ritual: str
    destination: Destination
    part: int
    payload: dict[str, Any]
    state: DeliveryState
    reason: str | None = None
    next_part: bool = False
    """A later part of the same message waits for this one."""
    forget_when_sent: bool = False
    """Once sent, the row keeps neither address nor payload (an erasure, a goodbye)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SentPart:
    """The first part of a message already sent: what an edit replaces."""

    destination: Destination
    platform_message_id: str | None


@dataclass(frozen=True, slots=True)
class Held:
    """A delivery held outside a reply window, since `since`."""

    id: int
    since: datetime


class Outbox(Protocol):
    """Planned deliveries of one community: written by the planner, skipped, held, released."""

    def moves(self) -> Mapping[tuple[str, str], str]:
        """Spaces that moved: (platform, old address) -> new address."""
        ...

    def list_accounts(self, community_id: str, platform: str, space: str) -> list[Account]:
        """The accounts a post to an opt-in list reaches: joined, writable, in joining order."""
        ...

    def member_accounts(self, member_id: int) -> list[Account]:
        """The member's writable accounts, most recently seen first."""
        ...

    def last_seen(self, platform: str, user_ids: Collection[str]) -> dict[str, LastSeen]:
        """When each of these accounts last wrote, by user id (one read for a fan-out)."""
        ...

    def mention_ids(self, member_ids: Collection[int]) -> dict[int, list[tuple[str, str]]]:
        """Every account (platform, user id) of each member, for rendering their mentions."""
        ...

    def write(self, delivery: PlannedDelivery, now: datetime) -> int | None:
        """Write the delivery unless its key is known; its id if it is still to send."""
        ...

    def sent_first_parts(self, ritual: str, cause: str, key: str) -> list[SentPart]:
        """The sent first parts of `ritual`'s message `key` planned for `cause`."""
        ...

    def skip_pending(self, destination: tuple[str, str], reason: str, now: datetime) -> int:
        """Skip whatever waits for (platform, address); how many."""
        ...

    def held(self, destination: tuple[str, str]) -> list[Held]:
        """What is held for (platform, address)."""
        ...

    def queue_again(self, ids: Collection[int], now: datetime) -> None:
        """Held deliveries go out now."""
        ...

    def give_up(self, delivery_id: int, reason: str, now: datetime) -> None:
        """A held delivery is skipped, with the parts that wait for it."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class OccurrenceTicket:
    """An occurrence row as the ritual runner reads it."""

    id: int
    ritual: str
    """The occurrence name: the ritual, and its schedule slot after a colon (`points:weekly`)."""
    scheduled_at: datetime
    manual: bool = False


class OccurrenceStore(Protocol):
    """A community's ritual occurrences: the claimed ones to run, and manual firings."""

    def take_claimed(self, occurrence_id: int, now: datetime) -> OccurrenceTicket | None:
        """Lock the occurrence and mark it done, if it is claimed and not yet run; else None."""
        ...

    def add_manual(self, ritual: str, now: datetime, *, done: bool) -> OccurrenceTicket:
        """A firing by hand (`/hub run`, a preview): its row, done at once or left claimed."""
        ...
