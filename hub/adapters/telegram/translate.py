"""Telegram's inbound translator: Update dicts → core events (no I/O). A mention of a member
without a username (a `text_mention`) becomes the core's neutral `@{id}`; see `render` for
the way out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.adapters.telegram.settings import PLATFORM
from hub.adapters.wire import tolerant
from hub.core.model.commands import Grammar, Said, command_or_message
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


@tolerant
def update_to_core(
    update: dict[str, Any], community_id: str, spaces: dict[str, str], bot_username: str | None
) -> list[Event]:
    """One Update as core events; [] for chats that are not spaces and for anything unused."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int):
        return []
    reader = _Reader(f"telegram:{update_id}", community_id, spaces, bot_username)
    readers = {
        "message": reader.message,
        "chat_member": reader.chat_member,
        "callback_query": reader.callback_query,
        "poll_answer": reader.poll_answer,
        "message_reaction": reader.message_reaction,
    }
    for kind, read in readers.items():
        if isinstance(update.get(kind), dict):
            return read(update[kind])
    return []


class _Reader:
    """Reads each kind of update; every method returns [] on anything it does not understand."""

    def __init__(
        self, event_id: str, community_id: str, spaces: dict[str, str], bot_username: str | None
    ) -> None:
        self.event_id, self.community_id, self.spaces, self.bot = (
            event_id,
            community_id,
            spaces,
            bot_username,
        )

    def _base(self, chat: Any, user: Any, when: Any, suffix: str = "") -> dict[str, Any] | None:
        identity = _identity(user)
        if identity is None or not isinstance(chat, dict):
            return None
        private = chat.get("type") == "private"
        space = self.spaces.get(str(chat.get("id")))
        if space is None and not private:
            return None
        return {
            "event_id": self.event_id + suffix,
            "community_id": self.community_id,
            "platform": PLATFORM,
            "space": space,
            "actor": identity,
            "occurred_at": _time(when),
        }

    def message(self, message: dict[str, Any]) -> list[Event]:
        chat, when = message.get("chat"), message.get("date")
        joined = message.get("new_chat_members")
        if isinstance(joined, list):
            bases = [self._base(chat, user, when, f":{_user_id(user)}") for user in joined]
            return [MemberJoined(**b) for b in bases if b is not None]
        if isinstance(message.get("left_chat_member"), dict):
            base = self._base(chat, message["left_chat_member"], when)
            return [MemberLeft(**base)] if base else []
        base = self._base(chat, message.get("from"), when)
        text = message.get("text")
        if base is None or not isinstance(text, str) or not text:
            return []
        event = self._text(base, message, text)
        return [event] if event is not None else []

    def _text(self, base: dict[str, Any], message: dict[str, Any], text: str) -> Event | None:
        """A command for us, nothing for a command meant for another bot, else a message."""
        entities = _list(message.get("entities"))
        is_command = any(
            isinstance(e, dict) and e.get("type") == "bot_command" and e.get("offset") == 0
            for e in entities
        )
        grammar = Grammar(bot_username=self.bot, other_bots=True) if is_command else NO_COMMAND
        reply = message.get("reply_to_message")
        reply_to = (
            str(reply["message_id"]) if isinstance(reply, dict) and "message_id" in reply else None
        )
        message_id = str(message.get("message_id", ""))
        said = Said(neutral_text(text, entities), message_id=message_id, reply_to=reply_to)
        return command_or_message(base, said, grammar)

    def chat_member(self, change: dict[str, Any]) -> list[Event]:
        old, new = change.get("old_chat_member"), change.get("new_chat_member")
        if not isinstance(old, dict) or not isinstance(new, dict):
            return []
        was_in, is_in = _is_in(old.get("status")), _is_in(new.get("status"))
        base = self._base(change.get("chat"), new.get("user"), change.get("date"))
        if base is None or was_in == is_in:
            return []
        return [MemberJoined(**base)] if is_in else [MemberLeft(**base)]

    def callback_query(self, query: dict[str, Any]) -> list[Event]:
        message = _dict(query.get("message"))
        data = query.get("data")
        base = self._base(message.get("chat"), query.get("from"), message.get("date"))
        if base is None or not isinstance(data, str):
            return []
        action, _, value = data.partition(":")
        message_id = str(message["message_id"]) if "message_id" in message else None
        return [ButtonClicked(**base, action=action, value=value, message_id=message_id)]

    def poll_answer(self, answer: dict[str, Any]) -> list[Event]:
        identity, options = _identity(answer.get("user")), answer.get("option_ids")
        poll_id = answer.get("poll_id")
        if identity is None or not isinstance(options, list) or not isinstance(poll_id, str):
            return []
        return [
            PollAnswered(
                event_id=self.event_id,
                community_id=self.community_id,
                platform=PLATFORM,
                space=None,
                actor=identity,
                occurred_at=datetime.now(UTC),
                poll_id=poll_id,
                option_ids=tuple(o for o in options if isinstance(o, int)),
            )
        ]

    def message_reaction(self, reaction: dict[str, Any]) -> list[Event]:
        base = self._base(reaction.get("chat"), reaction.get("user"), reaction.get("date"))
        emojis = [
            str(_dict(r).get("emoji"))
            for r in _list(reaction.get("new_reaction"))
            if "emoji" in _dict(r)
        ]
        if base is None or not emojis:
            return []
        return [
            ReactionAdded(**base, message_id=str(reaction.get("message_id", "")), emoji=emojis[0])
        ]


NO_COMMAND = Grammar(commands=False)
"""Text Telegram did not mark as a command: never read as one."""


def neutral_text(text: str, entities: list[Any]) -> str:
    """A member's text with each mention of a member without a username (a `text_mention`
    entity, which carries their id) written `@{id}`, the core's neutral mention."""
    mentions = _text_mentions(entities)
    if not mentions:
        return text
    units = text.encode("utf-16-le", "surrogatepass")  # entity offsets count UTF-16 units
    out, position = b"", 0
    for offset, length, user_id in mentions:
        if offset < position:
            continue
        out += units[position * 2 : offset * 2] + mention_token(user_id).encode("utf-16-le")
        position = offset + length
    return (out + units[position * 2 :]).decode("utf-16-le", "surrogatepass")


def _text_mentions(entities: list[Any]) -> list[tuple[int, int, str]]:
    found = []
    for entity in entities:
        entity = _dict(entity)
        offset, length, user = entity.get("offset"), entity.get("length"), _dict(entity.get("user"))
        if (
            entity.get("type") == "text_mention"
            and isinstance(offset, int)
            and isinstance(length, int)
            and isinstance(user.get("id"), int)
        ):
            found.append((offset, length, str(user["id"])))
    return sorted(found)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _identity(user: Any) -> Identity | None:
    if not isinstance(user, dict) or not isinstance(user.get("id"), int) or user.get("is_bot"):
        return None
    name = " ".join(
        str(user[k]) for k in ("first_name", "last_name") if isinstance(user.get(k), str)
    )
    return Identity(
        platform=PLATFORM,
        user_id=str(user["id"]),
        display_name=name or str(user.get("username") or user["id"]),
    )


def _user_id(user: Any) -> str:
    return str(user.get("id")) if isinstance(user, dict) else "?"


def _is_in(status: Any) -> bool:
    return status in ("member", "administrator", "creator", "restricted")


def _time(value: Any) -> datetime:
    if isinstance(value, int) and 0 < value < 10**11:
        return datetime.fromtimestamp(value, UTC)
    return datetime.now(UTC)
