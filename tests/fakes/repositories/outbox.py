"""In-memory fakes of the outbox repositories (see `hub.core.ports`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from hub.core.model.deliveries import PENDING, DeliveryState, Destination
from hub.core.ports.outbox_store import (
    Account,
    Held,
    LastSeen,
    OccurrenceTicket,
    PlannedDelivery,
    SentPart,
)


@dataclass(slots=True, kw_only=True)
class FakeAccount:
    """An account as the fake knows it: who, where, and whether it may be written to."""

    account: Account
    name: str = ""
    last_seen_at: datetime | None = None
    writable: bool = True
    spaces: set[str] = field(default_factory=set)


@dataclass(slots=True, kw_only=True)
class FakeDelivery:
    """A delivery row: what was planned, and what became of it."""

    id: int
    planned: PlannedDelivery
    state: DeliveryState
    reason: str | None
    updated_at: datetime
    platform_message_id: str | None = None

    @property
    def destination(self) -> Destination:
        """Where it goes."""
        return self.planned.destination

    @property
    def payload(self) -> dict[str, Any]:
        """What is sent."""
        return self.planned.payload


class FakeOutbox:
    """Planned deliveries, in a dict by key; the accounts they may go to, in a list."""

    def __init__(self) -> None:
        self.accounts: list[FakeAccount] = []
        self.moved: dict[tuple[str, str], str] = {}
        self.deliveries: dict[str, FakeDelivery] = {}

    def add_account(self, account: Account, **details: Any) -> FakeAccount:
        """Arrange: an account of a member (name, last_seen_at, writable, spaces)."""
        self.accounts.append(FakeAccount(account=account, **details))
        return self.accounts[-1]

    def moves(self) -> Mapping[tuple[str, str], str]:
        return dict(self.moved)

    def list_accounts(self, community_id: str, platform: str, space: str) -> list[Account]:
        return [
            a.account
            for a in self.accounts
            if a.writable
            and space in a.spaces
            and (a.account.community_id, a.account.platform) == (community_id, platform)
        ]

    def member_accounts(self, member_id: int) -> list[Account]:
        mine = [a for a in self.accounts if a.writable and a.account.member_id == member_id]
        mine.sort(key=lambda a: a.last_seen_at or datetime.min, reverse=True)
        return [a.account for a in mine]

    def last_seen(self, platform: str, user_ids: Collection[str]) -> dict[str, LastSeen]:
        return {
            a.account.user_id: LastSeen(a.last_seen_at, a.name)
            for a in self.accounts
            if a.account.platform == platform and a.account.user_id in user_ids
        }

    def mention_ids(self, member_ids: Collection[int]) -> dict[int, list[tuple[str, str]]]:
        found: dict[int, list[tuple[str, str]]] = {m: [] for m in member_ids}
        for a in self.accounts:
            if a.account.member_id in found:
                found[a.account.member_id].append((a.account.platform, a.account.user_id))
        return found

    def write(self, delivery: PlannedDelivery, now: datetime) -> int | None:
        row = self.deliveries.setdefault(
            delivery.key,
            FakeDelivery(
                id=len(self.deliveries) + 1,
                planned=delivery,
                state=delivery.state,
                reason=delivery.reason,
                updated_at=now,
            ),
        )
        return row.id if row.state in (DeliveryState.QUEUED, DeliveryState.SENDING) else None

    def sent_first_parts(self, ritual: str, cause: str, key: str) -> list[SentPart]:
        return [
            SentPart(destination=d.destination, platform_message_id=d.platform_message_id)
            for k, d in self.deliveries.items()
            if k.startswith(f"{cause}|{key}|")
            and d.planned.ritual == ritual
            and d.planned.part == 0
            and d.state is DeliveryState.SENT
        ]

    def skip_pending(self, destination: tuple[str, str], reason: str, now: datetime) -> int:
        pending = [d for d in self._to(destination) if d.state in PENDING]
        for d in pending:
            d.state, d.reason, d.updated_at = DeliveryState.SKIPPED, reason, now
        return len(pending)

    def held(self, destination: tuple[str, str]) -> list[Held]:
        return [
            Held(d.id, d.updated_at) for d in self._to(destination) if d.state is DeliveryState.HELD
        ]

    def queue_again(self, ids: Collection[int], now: datetime) -> None:
        for d in self.deliveries.values():
            if d.id in ids:
                d.state, d.reason, d.updated_at = DeliveryState.QUEUED, None, now

    def give_up(self, delivery_id: int, reason: str, now: datetime) -> None:
        given_up = self.by_id(delivery_id)
        given_up.state, given_up.reason, given_up.updated_at = DeliveryState.SKIPPED, reason, now
        prefix = given_up.planned.key.rsplit("|", 1)[0] + "|"
        for d in self.deliveries.values():
            later = d.planned.key.startswith(prefix) and d.planned.part > given_up.planned.part
            if later and d.state is DeliveryState.WAITING:
                d.state, d.updated_at = DeliveryState.SKIPPED, now

    def by_id(self, delivery_id: int) -> FakeDelivery:
        """Inspect: the delivery with this id."""
        return next(d for d in self.deliveries.values() if d.id == delivery_id)

    def sent(self, delivery_id: int, platform_message_id: str) -> None:
        """Arrange: the delivery was sent, as this platform message."""
        row = self.by_id(delivery_id)
        row.state, row.platform_message_id = DeliveryState.SENT, platform_message_id

    def _to(self, destination: tuple[str, str]) -> list[FakeDelivery]:
        return [
            d
            for d in self.deliveries.values()
            if (d.destination.platform, d.destination.address) == destination
        ]


def account(member_id: int, platform: str, user_id: str, **details: Any) -> Account:
    """An account of community "c" (the tests' community)."""
    return replace(
        Account(community_id="c", platform=platform, user_id=user_id, member_id=member_id),
        **details,
    )


@dataclass(slots=True)
class FakeOccurrence:
    """An occurrence row: its ticket and its state."""

    ticket: OccurrenceTicket
    state: str = "claimed"


class FakeOccurrences:
    """Occurrences, in a dict by id."""

    def __init__(self) -> None:
        self.rows: dict[int, FakeOccurrence] = {}

    def claim(self, ritual: str, scheduled_at: datetime) -> OccurrenceTicket:
        """Arrange an occurrence the scheduler claimed."""
        ticket = OccurrenceTicket(id=len(self.rows) + 1, ritual=ritual, scheduled_at=scheduled_at)
        self.rows[ticket.id] = FakeOccurrence(ticket)
        return ticket

    def take_claimed(self, occurrence_id: int, now: datetime) -> OccurrenceTicket | None:
        """The claimed occurrence, now done; None if unknown or already run."""
        row = self.rows.get(occurrence_id)
        if row is None or row.state != "claimed":
            return None
        row.state = "done"
        return row.ticket

    def add_manual(self, ritual: str, now: datetime, *, done: bool) -> OccurrenceTicket:
        """A firing by hand."""
        ticket = self.claim(ritual, now)
        ticket = replace(ticket, manual=True)
        self.rows[ticket.id] = FakeOccurrence(ticket, "done" if done else "claimed")
        return ticket
