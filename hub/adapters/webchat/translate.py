"""The webchat's inbound translator: what a member did on the page → core events (no I/O).
Members type plain text: already the core's neutral forms. See `render` for the way out."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class InRoom:
    """Who did something in which room of which community, and when."""

    community_id: str
    space: str
    identity: Identity
    now: datetime

    def base(self, event_id: str) -> dict[str, Any]:
        """The fields every event from this room carries."""
        return {
            "event_id": event_id,
            "community_id": self.community_id,
            "platform": PLATFORM,
            "space": self.space,
            "actor": self.identity,
            "occurred_at": self.now,
        }


def to_message_event(where: InRoom, said: Said) -> MessageReceived | CommandInvoked:
    """A member wrote in a room (`said.message_id` is its stream entry id): a command or a
    message (plain text is always one of them)."""
    found = command_or_message(where.base(f"webchat:message:{said.message_id}"), said)
    assert found is not None
    return found


def to_button_clicked(
    where: InRoom, action: str, value: str, message_id: str | None, click_id: str
) -> ButtonClicked:
    """A member pressed one of the hub's buttons on the page."""
    base = where.base(f"webchat:click:{click_id}")
    return ButtonClicked(**base, action=action, value=value, message_id=message_id)
