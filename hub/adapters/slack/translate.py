"""Slack's inbound translator: Events API envelopes, slash commands and interactivity payloads
→ core events (no I/O). Mentions (`<@U123|zoe>`) become the core's neutral `@{U123}`, links
(`<url|label>`) their address, reactions their base emoji; see `render` for the way out.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from hub.adapters.slack.settings import PLATFORM
from hub.adapters.wire import tolerant
from hub.core.model.commands import Grammar, Said, command_or_message, invoked
from hub.core.model.domain import Identity
from hub.core.model.events import (
    ButtonClicked,
    Event,
    MemberJoined,
    MemberLeft,
    ReactionAdded,
)
from hub.core.model.mentions import mention_token

IGNORED_SUBTYPES = {
    "message_changed",
    "message_deleted",
    "channel_join",
    "channel_leave",
    "bot_message",
}


@tolerant
def event_to_core(
    envelope: dict[str, Any], community_id: str, spaces: dict[str, str], bot_user_id: str | None
) -> list[Event]:
    """An Events API `event_callback` as core events ([] for anything the hub does not use)."""
    event = envelope.get("event")
    event_id = envelope.get("event_id")
    if not isinstance(event, dict) or not isinstance(event_id, str):
        return []
    user, channel = event.get("user"), event.get("channel") or _item_channel(event)
    if (
        not isinstance(user, str)
        or not isinstance(channel, str)
        or user == bot_user_id
        or event.get("bot_id")
    ):
        return []
    space = spaces.get(channel)
    private = event.get("channel_type") == "im"
    if space is None and not private:
        return []
    base: dict[str, Any] = {
        "event_id": f"slack:{event_id}",
        "community_id": community_id,
        "platform": PLATFORM,
        "space": space,
        "actor": Identity(platform=PLATFORM, user_id=user, display_name=user),
        "occurred_at": _time(envelope.get("event_time")),
    }
    return _inner(event, base, bot_user_id)


def _inner(event: dict[str, Any], base: dict[str, Any], bot_user_id: str | None) -> list[Event]:
    kind = event.get("type")
    if kind == "member_joined_channel":
        return [MemberJoined(**base)]
    if kind == "member_left_channel":
        return [MemberLeft(**base)]
    if kind == "reaction_added" and isinstance(event.get("reaction"), str):
        item = _dict(event.get("item"))
        emoji = base_emoji(event["reaction"])
        return [ReactionAdded(**base, message_id=str(item.get("ts", "")), emoji=emoji)]
    if kind in ("message", "app_mention") and event.get("subtype") not in IGNORED_SUBTYPES:
        return _message(event, base, bot_user_id, mentioned=kind == "app_mention")
    return []


def _message(
    event: dict[str, Any], base: dict[str, Any], bot_user_id: str | None, mentioned: bool
) -> list[Event]:
    text, ts = event.get("text"), event.get("ts")
    if not isinstance(text, str) or not isinstance(ts, str) or event.get("subtype"):
        return []
    text = neutral_text(text)
    if mentioned and bot_user_id:
        text = text.replace(mention_token(bot_user_id), "").strip()
    thread = event.get("thread_ts")
    reply_to = thread if isinstance(thread, str) and thread != ts else None
    said = Said(text, message_id=ts, reply_to=reply_to)
    found = command_or_message(base, said, Grammar(addressed=mentioned))
    return [found] if found is not None else []


_MENTION = re.compile(r"<@(?P<user>[A-Za-z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(?P<url>[^@#!|>][^|>]*)(?:\|[^>]*)?>")
_SKIN_TONE = re.compile(r"::skin-tone-\d$")


def neutral_text(text: str) -> str:
    """A member's text in the core's neutral forms: `<@U123|zoe>` is `@{U123}`, a link
    `<https://x.org|x.org>` its plain address."""
    text = _MENTION.sub(lambda found: mention_token(found.group("user")), text)
    return _LINK.sub(lambda found: found.group("url"), text)


def base_emoji(reaction: str) -> str:
    """A reaction's emoji without Slack's skin-tone suffix: `+1::skin-tone-2` is `+1`."""
    return _SKIN_TONE.sub("", reaction)


@tolerant
def slash_command_to_core(
    form: dict[str, str], community_id: str, spaces: dict[str, str]
) -> list[Event]:
    """`/hub verb args` from a slash command form."""
    user, channel, trigger = form.get("user_id"), form.get("channel_id"), form.get("trigger_id")
    if not user or not channel or not trigger:
        return []
    space = spaces.get(channel)
    if space is None and not channel.startswith("D"):
        return []
    actor = Identity(platform=PLATFORM, user_id=user, display_name=form.get("user_name") or user)
    base = {
        "event_id": f"slack:command:{trigger}",
        "community_id": community_id,
        "platform": PLATFORM,
        "space": space,
        "actor": actor,
        "occurred_at": datetime.now(UTC),
    }
    return [invoked(base, neutral_text(form.get("text", "")))]


@tolerant
def interaction_to_core(
    payload: dict[str, Any], community_id: str, spaces: dict[str, str]
) -> list[Event]:
    """`block_actions` (a button press) as ButtonClicked; other interactions are not used yet."""
    if payload.get("type") != "block_actions":
        return []
    user, channel, message = (
        _dict(payload.get("user")),
        _dict(payload.get("channel")),
        _dict(payload.get("message")),
    )
    actions = payload.get("actions") if isinstance(payload.get("actions"), list) else []
    user_id, channel_id = user.get("id"), channel.get("id")
    if not isinstance(user_id, str) or not isinstance(channel_id, str) or not actions:
        return []
    action = _dict(actions[0])
    value = action.get("value")
    if not isinstance(value, str):
        return []
    name, _, argument = value.partition(":")
    actor = Identity(
        platform=PLATFORM, user_id=user_id, display_name=str(user.get("username") or user_id)
    )
    return [
        ButtonClicked(
            event_id=f"slack:action:{action.get('action_ts', '')}:{user_id}",
            community_id=community_id,
            platform=PLATFORM,
            space=spaces.get(channel_id),
            actor=actor,
            occurred_at=datetime.now(UTC),
            action=name,
            value=argument,
            message_id=str(message.get("ts")) if message.get("ts") else None,
        )
    ]


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _item_channel(event: dict[str, Any]) -> str | None:
    item = event.get("item")
    return (
        item.get("channel")
        if isinstance(item, dict) and isinstance(item.get("channel"), str)
        else None
    )


def _time(value: object) -> datetime:
    if isinstance(value, int | float) and 0 < value < 10**11:
        return datetime.fromtimestamp(value, UTC)
    return datetime.now(UTC)
