"""The ritual port: what a ritual is given and what it returns.

Rituals are pure: state, `now` and a seeded random generator in; outbound messages, records and
the new state out. No clock, database, SDK or queue inside, so every run can be replayed. The
state is a typed model (`RitualState`); what it keeps about members the core links, forgets and
exports for every ritual (`member_records`), so no ritual handles a merge or a forget-me.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from hub.core.config.models import RitualSection
from hub.core.model.domain import Community, Member, Space
from hub.core.model.events import Event
from hub.core.model.member_records import RitualState
from hub.core.model.mentions import match_members
from hub.core.model.messages import Outbound


@dataclass(frozen=True, slots=True, kw_only=True)
class Occurrence:
    """One firing of a ritual, scheduled or fired by hand (`manual`)."""

    id: int
    ritual: str
    scheduled_at: datetime
    manual: bool = False
    slot: str = ""
    """Which of the ritual's schedules fired: "" for its main one (see `schedules()`)."""

    @property
    def cause(self) -> str:
        """How deliveries of this occurrence are named (see `Replaces`)."""
        return f"occurrence:{self.id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RepliedTo:
    """The hub message a member replied to, when it was one of ours."""

    ritual: str
    outbound_key: str
    cause: str


class Directory(Protocol):
    """Read-only access to the community's members, for rituals that name or rotate them."""

    def member(self, member_id: int) -> Member | None:
        """The member with that id, if they still exist."""
        ...

    def members(self) -> list[Member]:
        """Every member of the community, oldest first."""
        ...

    def find(self, token: str, platform: str) -> list[Member]:
        """The members a command argument (`@Zoé`, `<@U123>`) may mean, written on `platform`."""
        ...

    def export(self, member_id: int) -> dict[str, Any]:
        """Everything the hub keeps about a member, as plain data (for `/hub export-me`)."""
        ...


@dataclass(frozen=True, slots=True)
class StaticDirectory:
    """A directory over a fixed list of members: for tests and for rituals run without one."""

    known: tuple[Member, ...] = ()

    def member(self, member_id: int) -> Member | None:
        """The member with that id, if known."""
        return next((m for m in self.known if m.id == member_id), None)

    def members(self) -> list[Member]:
        """Every known member, in the given order."""
        return list(self.known)

    def find(self, token: str, platform: str) -> list[Member]:
        """The known members `token` may mean."""
        return match_members(token, platform, self.known)

    def export(self, member_id: int) -> dict[str, Any]:
        """What is known of the member here: their card and accounts."""
        member = self.member(member_id)
        return {} if member is None else member_data(member)


def member_data(member: Member) -> dict[str, Any]:
    """A member as plain data: name, accounts, card, when they joined."""
    return {
        "name": member.display_name,
        "joined_at": member.joined_at.isoformat() if member.joined_at else None,
        "accounts": [
            {"platform": i.platform, "user_id": i.user_id, "name": i.display_name}
            for i in member.identities
        ],
        "profile": dict(member.profile),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class RitualContext:
    """Everything a ritual may know about the world for one decision."""

    community: Community
    config: RitualSection
    now: datetime
    rng: random.Random
    state: RitualState
    """The ritual's own state, of its `state_model`; member records in it belong to the core."""
    spaces: tuple[Space, ...]
    member: Member | None = None
    replied_to: RepliedTo | None = None
    private_link: str | None = None
    """Set when the member must open a private chat before the hub may write to them there."""
    """`commands`: every verb the community's enabled rituals answer, described in its locale."""
    texts: Mapping[str, str] = field(default_factory=dict)
    commands: Mapping[str, str] = field(default_factory=dict)
    directory: Directory = field(default_factory=StaticDirectory)
    is_admin: bool = False
    """The member acting is one of `community.owners` (on any of their linked accounts)."""
    entropy: str = ""
    """Fresh secret randomness (hex) for what must not be guessed, like one-time codes; `rng`
    is seeded from the event and is for choices that should replay the same way."""
    verbs: frozenset[str] = frozenset()
    """Every verb some enabled ritual answers, owners' verbs included (`commands` lists only
    those this member may use)."""
    scheduled_rituals: tuple[str, ...] = ()
    """The community's enabled rituals that fire on a schedule (what an owner may run now)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """A fact a ritual wants kept (append-only), optionally about a member."""

    kind: str
    data: Mapping[str, Any]
    member_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetProfile:
    """Effect: change fields of a member's card (None removes one)."""

    member_id: int
    fields: Mapping[str, str | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class MergeMembers:
    """Effect: `merged`'s accounts, records and member records in every ritual's state now
    belong to `kept` (one person)."""

    kept: int
    merged: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ForgetMember:
    """Effect: delete every row about the member (they asked to be forgotten)."""

    member_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FireRitual:
    """Effect: run one occurrence of `ritual` now (an owner asked)."""

    ritual: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Signal:
    """Effect: tell the other rituals something happened in this one (a shout-out was given,
    an icebreaker answered), as a `RitualSignalled` event in the same transaction."""

    name: str
    member_id: int
    other_member_id: int | None = None


Effect = SetProfile | MergeMembers | ForgetMember | FireRitual | Signal


@dataclass(frozen=True, slots=True, kw_only=True)
class RitualResult:
    """What a ritual decided. `state=None` leaves the state unchanged.

    `effects` are changes only the core may make (profiles, merging or forgetting members,
    firing a ritual); they apply in the same transaction as the state and the outbox."""

    outbound: tuple[Outbound, ...] = ()
    state: RitualState | None = None
    records: tuple[Record, ...] = ()
    effects: tuple[Effect, ...] = ()


NOTHING = RitualResult()


class Ritual(Protocol):
    """A ritual module's entry point; see hub/rituals/ for the catalogue."""

    name: ClassVar[str]
    config_model: ClassVar[type[RitualSection]]
    default_texts: ClassVar[Mapping[str, Mapping[str, str]]]
    commands: ClassVar[Mapping[str, Mapping[str, str]]]
    """Verbs this ritual answers, with a one-line description per locale (for `help`)."""
    admin_commands: ClassVar[Mapping[str, Mapping[str, str]]]
    """Verbs only the community's owners may use (listed in `help` for them alone)."""
    always_on: ClassVar[bool]
    """Enabled with its default settings unless the YAML disables it."""
    state_model: ClassVar[type[RitualState]]
    """The ritual's state: what it names of members the core merges, forgets and exports."""

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """React to something that happened on a platform."""
        ...

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Act on a scheduled (or manual) firing."""
        ...
