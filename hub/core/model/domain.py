"""The neutral vocabulary of the hub: communities, spaces, members and their platform identities.

Platform ids are opaque strings: the core never parses a chat id or a user id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Community:
    """A growth community, as configured by its owner in one YAML file."""

    id: str
    name: str
    timezone: str
    locale: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Space:
    """A place on one platform where the community meets (group, channel, opt-in list, room).

    `name` is the owner's name for it (shared across platforms: "main" can live on Telegram
    and Slack at once); `address` is the platform's opaque id for it.
    """

    community_id: str
    platform: str
    name: str
    address: str
    opt_in_list: bool = False
    """Members join by writing to the hub and cannot see each other (WhatsApp): a post to the
    space is one private message per member who opted in."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """One account of a person on one platform."""

    platform: str
    user_id: str
    display_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """A person in a community, with one or more platform identities."""

    id: int
    community_id: str
    display_name: str
    locale: str | None = None
    identities: tuple[Identity, ...] = field(default_factory=tuple)
    profile: Mapping[str, str] = field(default_factory=dict)
    """The member's card: bio, skills, link, city (what they chose to share)."""
    joined_at: datetime | None = None
    reachable: bool = True
    """False when no account of theirs may be written to (all opted out or unreachable)."""

    def identity_on(self, platform: str) -> Identity | None:
        """The member's account on `platform`, if they have one."""
        return next((i for i in self.identities if i.platform == platform), None)
