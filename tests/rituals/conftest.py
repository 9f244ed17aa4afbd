"""Builders for pure ritual tests: a context, a member, events. No server, no database."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ConfigDict

from hub.core.config.models import RitualSection
from hub.core.model.domain import Community, Identity, Member, Space
from hub.core.model.events import CommandInvoked, MemberJoined, MessageReceived
from hub.core.model.member_records import RitualState
from hub.core.model.ritual import Directory, RepliedTo, RitualContext, StaticDirectory

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
COMMUNITY = Community(
    id="inside-freelancing", name="Inside Freelancing", timezone="Europe/Paris", locale="fr"
)
SPACES = (
    Space(community_id=COMMUNITY.id, platform="webchat", name="main", address="salon"),
    Space(community_id=COMMUNITY.id, platform="telegram", name="main", address="-100123"),
    Space(
        community_id=COMMUNITY.id,
        platform="whatsapp",
        name="main",
        address="members",
        opt_in_list=True,
    ),
)


class LooseState(RitualState):
    """A state written as plain data in a test: each ritual reads it as its own model."""

    model_config = ConfigDict(extra="allow")


def js(state: RitualState | None) -> dict[str, Any]:
    """A ritual's state as it is stored (JSON: member ids as string keys)."""
    assert state is not None
    return state.model_dump(mode="json")


def member(
    member_id: int = 7,
    name: str = "Jean-Pierre",
    platform: str = "webchat",
    *,
    profile: Mapping[str, str] | None = None,
    joined_at: datetime | None = None,
    reachable: bool = True,
) -> Member:
    return Member(
        id=member_id,
        community_id=COMMUNITY.id,
        display_name=name,
        identities=(Identity(platform=platform, user_id=f"u{member_id}", display_name=name),),
        profile=dict(profile or {}),
        joined_at=joined_at or NOW,
        reachable=reachable,
    )


def context(
    config: RitualSection,
    texts: Mapping[str, str],
    *,
    state: Mapping[str, Any] | RitualState | None = None,
    who: Member | None = None,
    now: datetime = NOW,
    seed: int = 1,
    replied_to: RepliedTo | None = None,
    directory: Directory | None = None,
    admin: bool = False,
    commands: Mapping[str, str] | None = None,
    entropy: str = "",
    scheduled: tuple[str, ...] = (),
) -> RitualContext:
    return RitualContext(
        community=COMMUNITY,
        config=config,
        now=now,
        rng=random.Random(seed),
        state=state if isinstance(state, RitualState) else LooseState.model_validate(state or {}),
        spaces=SPACES,
        member=who,
        replied_to=replied_to,
        texts=texts,
        directory=directory or StaticDirectory(),
        is_admin=admin,
        commands=commands or {},
        entropy=entropy,
        scheduled_rituals=scheduled,
    )


def joined(
    user: Member, event_id: str = "e1", space: str = "main", platform: str = "webchat"
) -> MemberJoined:
    return MemberJoined(
        event_id=event_id,
        community_id=COMMUNITY.id,
        platform=platform,
        space=space,
        actor=user.identities[0],
        occurred_at=NOW,
    )


def said(user: Member, text: str, reply_to: str | None = None) -> MessageReceived:
    return MessageReceived(
        event_id="m1",
        community_id=COMMUNITY.id,
        platform="webchat",
        space="main",
        actor=user.identities[0],
        occurred_at=NOW,
        text=text,
        message_id="1-0",
        reply_to=reply_to,
    )


def command(
    user: Member,
    name: str,
    *args: str,
    space: str | None = "main",
    event_id: str = "c1",
    now: datetime = NOW,
) -> CommandInvoked:
    """`/hub <name> <args…>` typed by `user` in `space` (None: their private chat)."""
    identity = user.identities[0]
    return CommandInvoked(
        event_id=event_id,
        community_id=COMMUNITY.id,
        platform=identity.platform,
        space=space,
        actor=identity,
        occurred_at=now,
        name=name,
        args=args,
    )
