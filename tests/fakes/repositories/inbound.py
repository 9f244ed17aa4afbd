"""In-memory fakes of the inbound repositories (`hub.core.ports.inbound_store`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from hub.core.model.deliveries import DeliveryState
from hub.core.model.domain import Identity, Member
from hub.core.ports.inbound_store import PlannedDelivery, SentMessage


class FakeProcessedEvents:
    """Processed event ids, in a set."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def first_time(self, event_id: str, now: datetime) -> bool:
        """True the first time an id is seen."""
        if event_id in self.ids:
            return False
        self.ids.add(event_id)
        return True


@dataclass(slots=True)
class FakeAccount:
    """One platform account of a member, with what the store keeps about it."""

    member_id: int
    identity: Identity
    last_seen_at: datetime
    reachable: bool = True
    opted_out_at: datetime | None = None
    private_chat_open: bool = False
    unreachable_reason: str | None = None
    spaces: set[str] = field(default_factory=set)


class FakeMembers:
    """Members and their accounts, in dicts."""

    def __init__(self) -> None:
        self.members: dict[int, Member] = {}
        self.accounts: dict[tuple[str, str], FakeAccount] = {}

    def resolve(self, identity: Identity, now: datetime) -> Member:
        """The member behind the account, created on first sight."""
        account = self.accounts.get(_key(identity))
        if account is None:
            member_id = max(self.members, default=0) + 1
            self.members[member_id] = Member(
                id=member_id, community_id="", display_name=identity.display_name, joined_at=now
            )
            account = FakeAccount(member_id=member_id, identity=identity, last_seen_at=now)
            self.accounts[_key(identity)] = account
        account.last_seen_at = now
        member = self.get(account.member_id)
        assert member is not None
        return member

    def get(self, member_id: int) -> Member | None:
        """The member with every account, as the SQL repository builds it."""
        member = self.members.get(member_id)
        if member is None:
            return None
        mine = [a for a in self.accounts.values() if a.member_id == member_id]
        return replace(
            member,
            identities=tuple(a.identity for a in mine),
            reachable=any(a.reachable and a.opted_out_at is None for a in mine),
        )

    def everyone(self) -> list[Member]:
        """Every member, oldest first."""
        return [m for m in map(self.get, sorted(self.members)) if m is not None]

    def set_profile(self, member_id: int, fields: Mapping[str, str | None]) -> None:
        """Change the member's card."""
        member = self.members[member_id]
        profile = {**member.profile, **{k: v for k, v in fields.items() if v is not None}}
        for key in (k for k, v in fields.items() if v is None):
            profile.pop(key, None)
        self.members[member_id] = replace(member, profile=profile)

    def join_space(self, space: str, identity: Identity, now: datetime) -> None:
        """The account joined the space."""
        if (account := self.accounts.get(_key(identity))) is not None:
            account.spaces.add(space)

    def spaces_of(self, member_id: int) -> list[tuple[str, str]]:
        """(platform, space) of every space the member's accounts are in."""
        mine = (a for a in self.accounts.values() if a.member_id == member_id)
        return sorted((a.identity.platform, space) for a in mine for space in a.spaces)

    def leave_space(self, space: str, identity: Identity) -> None:
        """The account left the space."""
        if (account := self.accounts.get(_key(identity))) is not None:
            account.spaces.discard(space)

    def set_opted_out(self, identity: Identity, when: datetime | None) -> None:
        """Opt out, or back in."""
        if (account := self.accounts.get(_key(identity))) is not None:
            account.opted_out_at = when
            if when is None:
                account.reachable, account.unreachable_reason = True, None

    def open_private_chat(self, identity: Identity) -> None:
        """The person wrote privately."""
        if (account := self.accounts.get(_key(identity))) is not None:
            account.private_chat_open, account.reachable = True, True

    def private_chat_open(self, identity: Identity) -> bool:
        """Whether the person ever wrote privately."""
        account = self.accounts.get(_key(identity))
        return account is not None and account.private_chat_open

    def mark_unreachable(self, member_id: int, platform: str, reason: str) -> None:
        """The member's accounts on that platform cannot be written to."""
        for account in self.accounts.values():
            if account.member_id == member_id and account.identity.platform == platform:
                account.reachable, account.unreachable_reason = False, reason

    def account(self, identity: Identity) -> FakeAccount:
        """What the store keeps about an account (for a test's checks)."""
        return self.accounts[_key(identity)]


def _key(identity: Identity) -> tuple[str, str]:
    return identity.platform, identity.user_id


@dataclass(slots=True, kw_only=True)
class FakeDelivery:
    """A delivery as the fake keeps it: what the SQL row holds that the inbound side reads."""

    id: int
    ritual: str
    platform: str
    address: str
    idempotency_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    state: str = DeliveryState.QUEUED.value
    member_id: int | None = None
    space: str | None = None
    private: bool = False
    part: int = 0
    platform_message_id: str | None = None
    platform_status: str | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    permanent: bool = False


class FakeSentMessages:
    """The hub's deliveries, in a list."""

    def __init__(self) -> None:
        self.deliveries: list[FakeDelivery] = []

    def add(self, **fields: Any) -> FakeDelivery:
        """Arrange a delivery (or record one the fake planner planned); its id is the next."""
        delivery = FakeDelivery(id=len(self.deliveries) + 1, **fields)
        self.deliveries.append(delivery)
        return delivery

    def by_platform_id(self, platform: str, message_id: str) -> SentMessage | None:
        """The delivery that became that platform message."""
        return next(
            (
                _sent(d)
                for d in self.deliveries
                if d.platform == platform and d.platform_message_id == message_id
            ),
            None,
        )

    def last_offer(self, platform: str, address: str, since: datetime) -> SentMessage | None:
        """The latest sent delivery to `address` since `since` that offered choices."""
        offers = [
            d
            for d in self.deliveries
            if (d.platform, d.address, d.state) == (platform, address, DeliveryState.SENT.value)
            and d.sent_at is not None
            and d.sent_at >= since
            and d.payload.get("choices")
        ]
        latest = max(offers, key=lambda d: (d.sent_at, d.id), default=None)
        return None if latest is None else _sent(latest)

    def set_status(self, delivery_id: int, status: str, now: datetime) -> None:
        """Keep the platform's word."""
        self.get(delivery_id).platform_status = status

    def hold(self, delivery_id: int, reason: str) -> None:
        """Held for the member's next message."""
        delivery = self.get(delivery_id)
        delivery.state, delivery.platform_message_id = DeliveryState.HELD.value, None
        delivery.last_error = reason

    def fail(self, delivery_id: int, reason: str) -> None:
        """Failed for good."""
        delivery = self.get(delivery_id)
        delivery.state, delivery.permanent, delivery.last_error = "failed", True, reason

    def of_cause(self, cause: str) -> list[PlannedDelivery]:
        """The deliveries planned for `cause`."""
        return [
            PlannedDelivery(
                platform=d.platform,
                space=d.space,
                address=d.address,
                private=d.private,
                part=d.part,
                payload=d.payload,
                state=d.state,
                note=d.last_error,
            )
            for d in self.deliveries
            if d.idempotency_key.startswith(f"{cause}|")
        ]

    def get(self, delivery_id: int) -> FakeDelivery:
        """The delivery with that id."""
        return next(d for d in self.deliveries if d.id == delivery_id)


def _sent(d: FakeDelivery) -> SentMessage:
    return SentMessage(
        id=d.id,
        ritual=d.ritual,
        platform=d.platform,
        idempotency_key=d.idempotency_key,
        member_id=d.member_id,
        platform_message_id=d.platform_message_id,
        platform_status=d.platform_status,
        choices=tuple((str(a), str(v)) for a, v in d.payload.get("choices") or ()),
    )
