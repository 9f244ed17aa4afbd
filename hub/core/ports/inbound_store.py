"""Repositories the inbound pipeline needs: processed events, members, the hub's deliveries.

Storage implements them in `hub.core.storage.repositories.inbound`, the tests' fakes in
`tests/fakes/repositories/inbound.py`. Every repository is bound to the unit of work's
community, so no method takes a community id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from hub.core.model.domain import Identity, Member


class ProcessedEvents(Protocol):
    """The ids of events already handled, so a redelivered event runs once."""

    def first_time(self, event_id: str, now: datetime) -> bool:
        """Record the event as handled; False if it already was (the database decides a race)."""
        ...


class MemberStore(Protocol):
    """Members, their accounts, space memberships, opt-outs and private chats."""

    def resolve(self, identity: Identity, now: datetime) -> Member:
        """The member behind a platform account, created on first sight; `last_seen_at` moves."""
        ...

    def get(self, member_id: int) -> Member | None:
        """The member of this community with that id, with every account."""
        ...

    def everyone(self) -> list[Member]:
        """Every member of the community, oldest first."""
        ...

    def set_profile(self, member_id: int, fields: Mapping[str, str | None]) -> None:
        """Change fields of the member's card; None removes a field."""
        ...

    def join_space(self, space: str, identity: Identity, now: datetime) -> None:
        """The account joined the space (once: a second join changes nothing)."""
        ...

    def leave_space(self, space: str, identity: Identity) -> None:
        """The account is no longer in the space."""
        ...

    def spaces_of(self, member_id: int) -> list[tuple[str, str]]:
        """(platform, space) of every space the member's accounts are in (for export-me)."""
        ...

    def set_opted_out(self, identity: Identity, when: datetime | None) -> None:
        """Opt the account out (`when`) or back in (None); its space memberships are kept."""
        ...

    def open_private_chat(self, identity: Identity) -> None:
        """The person wrote to the hub privately: from now on the hub may write back."""
        ...

    def private_chat_open(self, identity: Identity) -> bool:
        """Whether the person has ever opened a private chat with the hub on that platform."""
        ...

    def mark_unreachable(self, member_id: int, platform: str, reason: str) -> None:
        """The member cannot be written to on that platform (blocked the bot, left…)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class SentMessage:
    """One of the hub's deliveries, as the inbound side reads it (reports, replies, choices)."""

    id: int
    ritual: str
    platform: str
    idempotency_key: str
    member_id: int | None = None
    platform_message_id: str | None = None
    platform_status: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    """The numbered choices its payload offered (a poll's options on a platform without buttons)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedDelivery:
    """A delivery as a dry run shows it (`hub ritual preview`)."""

    platform: str
    space: str | None
    address: str
    private: bool
    part: int
    payload: Mapping[str, Any] = field(default_factory=dict)
    state: str = "queued"
    note: str | None = None


class SentMessages(Protocol):
    """The hub's deliveries, found by the platform's message id or by their cause."""

    def by_platform_id(self, platform: str, message_id: str) -> SentMessage | None:
        """The delivery that became the platform's message `message_id`."""
        ...

    def last_offer(self, platform: str, address: str, since: datetime) -> SentMessage | None:
        """The latest delivery sent to `address` since `since` that offered numbered choices."""
        ...

    def set_status(self, delivery_id: int, status: str, now: datetime) -> None:
        """Keep the platform's latest word on the delivery (sent, delivered, read, failed)."""
        ...

    def hold(self, delivery_id: int, reason: str) -> None:
        """Hold the delivery for the member's next message (outside a reply window)."""
        ...

    def fail(self, delivery_id: int, reason: str) -> None:
        """The delivery failed for good."""
        ...

    def of_cause(self, cause: str) -> list[PlannedDelivery]:
        """Every delivery planned for `cause`, in planning order."""
        ...
