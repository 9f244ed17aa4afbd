"""The webchat's inbound translator: what a member did on the page → core events (no I/O).
Members type plain text: already the core's neutral forms. See `render` for the way out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.adapters.webchat.settings import PLATFORM
from hub.core.model.commands import Said, command_or_message
from hub.core.model.domain import Identity
from hub.core.model.events import ButtonClicked, CommandInvoked, MemberJoined, MessageReceived


def to_member_joined(
    community_id: str, space: str, user_id: str, name: str, now: datetime
) -> MemberJoined:
    """A person joined a room by picking a display name."""
    return MemberJoined(
        event_id=f"webchat:join:{space}:{user_id}",
        community_id=community_id,
        platform=PLATFORM,
        space=space,
        actor=Identity(platform=PLATFORM, user_id=user_id, display_name=name),
        occurred_at=now,
    )


def to_message_event(
    community_id: str,
    space: str,
    identity: Identity,
    text: str,
    message_id: str,
    reply_to: str | None,
    now: datetime,
) -> MessageReceived | CommandInvoked:
    """A member wrote in a room (`message_id` is its stream entry id): a command or a message."""
    base: dict[str, Any] = {
        "event_id": f"webchat:message:{message_id}",
        "community_id": community_id,
        "platform": PLATFORM,
        "space": space,
        "actor": identity,
        "occurred_at": now,
    }
    found = command_or_message(base, Said(text, message_id=message_id, reply_to=reply_to))
    assert found is not None  # plain text is always a command or a message
    return found


def to_button_clicked(
    community_id: str,
    space: str,
    identity: Identity,
    action: str,
    value: str,
    message_id: str | None,
    click_id: str,
    now: datetime,
) -> ButtonClicked:
    """A member pressed one of the hub's buttons on the page."""
    return ButtonClicked(
        event_id=f"webchat:click:{click_id}",
        community_id=community_id,
        platform=PLATFORM,
        space=space,
        actor=identity,
        occurred_at=now,
        action=action,
        value=value,
        message_id=message_id,
    )
