"""Discord's inbound translator: gateway events and interaction payloads → core events (no
I/O). Mentions (`<@123>`, `<@!123>`) become the core's neutral `@{123}`; see `render` for
the way out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub.adapters.discord.settings import PLATFORM
from hub.adapters.wire import tolerant
from hub.core.model.commands import Grammar, Said, command_or_message, invoked
from hub.core.model.domain import Identity
from hub.core.model.events import (
    ButtonClicked,
    Event,
    MemberJoined,
    MemberLeft,
    PollAnswered,
    ReactionAdded,
)
from hub.core.model.mentions import mention_token

COMMAND_NAME = "hub"
COMMAND_OPTION = "command"
_MENTION = re.compile(r"<@!?(?P<user>\d+)>")
HUB_ONLY = Grammar(hub_only=True)
"""Only `/hub …` is a command: Discord's own slash commands never arrive as text."""


def neutral_text(text: str) -> str:
    """A member's text in the core's neutral forms: `<@123>` and `<@!123>` are `@{123}`."""
    return _MENTION.sub(lambda found: mention_token(found.group("user")), text)


@dataclass(frozen=True, slots=True)
class Author:
    """Who did something on Discord, as the gateway or an interaction payload says."""

    user_id: str
    name: str
    bot: bool = False

    def identity(self) -> Identity:
        return Identity(platform=PLATFORM, user_id=self.user_id, display_name=self.name)


@dataclass(frozen=True, slots=True)
class Inbound:
    """Turns one community's Discord activity into core events; [] for what is not ours."""

    community_id: str
    spaces: dict[str, str]  # channel id → space name

    def _base(self, event_id: str, channel_id: str | None, author: Author) -> dict[str, Any]:
        return {
            "event_id": f"discord:{event_id}",
            "community_id": self.community_id,
            "platform": PLATFORM,
            "space": self.spaces.get(channel_id) if channel_id else None,
            "actor": author.identity(),
            "occurred_at": datetime.now(UTC),
        }

    def _ours(self, channel_id: str | None, private: bool) -> bool:
        return private or (channel_id is not None and channel_id in self.spaces)

    def member_joined(
        self, guild_channels: set[str], author: Author, joined_at: datetime | None
    ) -> list[Event]:
        """A guild join is a join of every configured space (channel) of that guild."""
        if author.bot:
            return []
        stamp = int(joined_at.timestamp()) if joined_at else 0
        return [
            MemberJoined(**self._base(f"join:{author.user_id}:{stamp}:{channel}", channel, author))
            for channel in self.spaces
            if channel in guild_channels
        ]

    def member_left(self, guild_channels: set[str], author: Author) -> list[Event]:
        """Leaving the guild leaves its spaces."""
        stamp = int(datetime.now(UTC).timestamp())
        return [
            MemberLeft(**self._base(f"leave:{author.user_id}:{stamp}:{channel}", channel, author))
            for channel in self.spaces
            if channel in guild_channels
        ]

    def message(self, channel_id: str, author: Author, said: Said, *, private: bool) -> list[Event]:
        """A message in a space (or a DM): a `/hub …` command, or a message."""
        if author.bot or not said.text or not self._ours(channel_id, private):
            return []
        base = self._base(f"message:{said.message_id}", None if private else channel_id, author)
        neutral = Said(neutral_text(said.text), said.message_id, said.reply_to)
        found = command_or_message(base, neutral, HUB_ONLY)
        return [found] if found is not None else []

    def reaction(self, channel_id: str, message_id: str, author: Author, emoji: str) -> list[Event]:
        """A reaction in a space."""
        if author.bot or not self._ours(channel_id, private=False):
            return []
        base = self._base(f"reaction:{message_id}:{author.user_id}:{emoji}", channel_id, author)
        return [ReactionAdded(**base, message_id=message_id, emoji=emoji)]

    def poll_vote(
        self, channel_id: str, message_id: str, author: Author, answer_id: int
    ) -> list[Event]:
        """A vote on a native poll: the poll is the message; answers count from 0 in core."""
        if author.bot or not self._ours(channel_id, private=False):
            return []
        base = self._base(f"vote:{message_id}:{author.user_id}:{answer_id}", channel_id, author)
        return [PollAnswered(**base, poll_id=message_id, option_ids=(answer_id - 1,))]

    @tolerant
    def interaction(self, interaction: Interaction) -> list[Event]:
        """A slash command (`/hub …`) or a button click, from the gateway or the endpoint."""
        author, channel_id = interaction.author, interaction.channel_id
        if author.bot or not self._ours(channel_id, interaction.private):
            return []
        where = None if interaction.private else channel_id
        base = self._base(f"interaction:{interaction.id}", where, author)
        data = interaction.data
        if interaction.kind == 2 and data.get("name") == COMMAND_NAME:
            return [invoked(base, neutral_text(command_text(data)))]
        custom_id = data.get("custom_id")
        if interaction.kind == 3 and isinstance(custom_id, str):
            action, _, value = custom_id.partition(":")
            return [
                ButtonClicked(**base, action=action, value=value, message_id=interaction.message_id)
            ]
        return []


@dataclass(frozen=True, slots=True)
class Interaction:
    """What the hub reads from an interaction, however it arrived."""

    id: str
    kind: int  # 1 ping, 2 application command, 3 component
    data: dict[str, Any]
    author: Author
    channel_id: str | None
    private: bool
    message_id: str | None = None


@tolerant
def read_interaction(payload: dict[str, Any]) -> Interaction | None:
    """An interaction from its JSON (the endpoint); None if it is not one we can use."""
    author = interaction_author(payload)
    kind = payload.get("type")
    if author is None or not isinstance(payload.get("id"), str) or not isinstance(kind, int):
        return None
    return Interaction(
        id=payload["id"],
        kind=kind,
        data=_dict(payload.get("data")),
        author=author,
        channel_id=_str(payload.get("channel_id")),
        private=payload.get("guild_id") is None,
        message_id=_str(_dict(payload.get("message")).get("id")),
    )


def command_text(data: dict[str, Any]) -> str:
    """The words after `/hub` in a slash command's options."""
    for option in data.get("options") or []:
        if isinstance(option, dict) and option.get("name") == COMMAND_OPTION:
            return str(option.get("value") or "")
    return ""


def interaction_author(payload: dict[str, Any]) -> Author | None:
    """The member (in a guild) or user (in a DM) behind an interaction."""
    member = _dict(payload.get("member"))
    user = _dict(member.get("user")) or _dict(payload.get("user"))
    user_id = _str(user.get("id"))
    if user_id is None or not user_id.isdigit():
        return None
    name = member.get("nick") or user.get("global_name") or user.get("username") or user_id
    return Author(user_id=user_id, name=str(name), bot=bool(user.get("bot")))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
