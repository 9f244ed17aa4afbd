"""The webchat's web side: the page, joining, posting, and a server-sent event stream.

Requests are validated before anything is enqueued: unknown rooms are 404, bad bodies 400 or
422, an unknown or malformed member token 403. Who a member is (user id and display name)
comes from their session (`membership`), never from the request body.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import redis.asyncio as aioredis
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from hub.adapters.webchat import streams, translate
from hub.adapters.webchat.membership import Membership
from hub.adapters.webchat.rooms import MAX_BODY, Room, error, json_body, room_of
from hub.adapters.webchat.sessions import Member
from hub.adapters.webchat.settings import PLATFORM, WebchatSettings
from hub.adapters.webchat.texts import PAGE_KEYS
from hub.adapters.wire import Listening
from hub.core.model.cleaning import clean_text
from hub.core.model.commands import Said
from hub.core.model.domain import Identity
from hub.core.ports import Enqueue, ListenerSetup

PAGE = (Path(__file__).parent / "page.html").read_text(encoding="utf-8")
MAX_TEXT = 4000


class WebchatListener(Listening):
    """Serves rooms and turns what people do in them into core events."""

    body_limits: ClassVar[dict[str, int]] = {"/chat/": MAX_BODY}
    """Bytes a webchat request may carry (the web app refuses more as it streams in)."""

    def __init__(
        self, rooms: Mapping[tuple[str, str], Room], redis_url: str, enqueue: Enqueue
    ) -> None:
        self.rooms = rooms
        self.redis = aioredis.Redis.from_url(redis_url)
        self.enqueue = enqueue
        self.members = Membership(rooms, self.redis, enqueue)

    @classmethod
    def from_setup(cls, setup: ListenerSetup) -> WebchatListener:
        """One listener for the webchat rooms of every community."""
        rooms: dict[tuple[str, str], Room] = {}
        for runtime, section in setup.sections_of(WebchatSettings):
            community = runtime.community
            for space, address in section.spaces.items():
                rooms[(community.id, space)] = Room(
                    community.id, community.name, space, address, section, community.locale
                )
        return cls(rooms, setup.resources.redis_url, setup.enqueue)

    def routes(self) -> list[BaseRoute]:
        """Routes under /chat/{community}/{space}; StartupError when a community has no secret."""
        self.members.check_secrets()
        chat = "/chat/{community}/{space}"
        return [
            Route(chat, self.page, methods=["GET"]),
            Route(f"{chat}/join", self.members.join, methods=["POST"]),
            Route(f"{chat}/rename", self.members.rename, methods=["POST"]),
            Route(f"{chat}/ticket", self.members.ticket, methods=["POST"]),
            Route(f"{chat}/messages", self.post_message, methods=["POST"]),
            Route(f"{chat}/events", self.events, methods=["GET"]),
            Route(f"{chat}/click", self.click, methods=["POST"]),
        ]

    async def page(self, request: Request) -> Response:
        """The chat page, in the community's language."""
        room = room_of(self.rooms, request)
        if room is None:
            return HTMLResponse("<h1>No such room</h1>", status_code=404)
        config = json.dumps(
            {
                "community": room.community_id,
                "space": room.space,
                "name": room.community_name,
                "texts": {key: room.texts[key] for key in PAGE_KEYS},
            },
            ensure_ascii=False,
        )
        page = PAGE.replace("__LANG__", room.locale)
        return HTMLResponse(page.replace("__ROOM_CONFIG__", config.replace("<", "\\u003c")))

    async def _from_member(
        self, request: Request
    ) -> tuple[Room, Member, dict[str, Any]] | Response:
        """The member a request's token proves, and its JSON body; else the 4xx to answer."""
        found = await self.members.authorised(request)
        if isinstance(found, Response):
            return found
        data = await json_body(request)
        if data is None:
            return error(400, "expected a JSON object")
        return (*found, data)

    async def post_message(self, request: Request) -> Response:
        """A member writes: the message is shown in the room and handed to the hub."""
        found = await self._from_member(request)
        if isinstance(found, Response):
            return found
        room, member, data = found
        text, reply_to = data.get("text"), data.get("reply_to")
        if not isinstance(text, str) or len(text) > MAX_TEXT or not clean_text(text).strip():
            return error(422, f"text must be 1 to {MAX_TEXT} characters")
        if reply_to is not None and not isinstance(reply_to, str):
            return error(422, "reply_to must be a message id")
        text = clean_text(text)  # what the room shows is what the hub keeps
        entry = {"author": member.name, "text": text, "reply_to": reply_to and clean_text(reply_to)}
        stream = streams.room_stream(room.community_id, room.address)
        message_id = (
            await self.redis.xadd(stream, streams.encode(entry), maxlen=room.settings.history)
        ).decode()
        where = translate.InRoom(room.community_id, room.space, _identity(member), _now())
        event = translate.to_message_event(where, Said(text, message_id, reply_to))
        try:
            self.enqueue(event)
        except Exception:  # not kept (400 or 503): not shown either
            await self.redis.xdel(stream, message_id)
            raise
        return JSONResponse({"message_id": message_id})

    async def click(self, request: Request) -> Response:
        """A member pressed a button: the hub hears which one."""
        found = await self._from_member(request)
        if isinstance(found, Response):
            return found
        room, member, data = found
        action, value, message_id = (
            data.get("action"),
            data.get("value", ""),
            data.get("message_id"),
        )
        if not (isinstance(action, str) and action and isinstance(value, str)):
            return error(422, "action and value must be short strings")
        if len(action + value) > 200:
            return error(422, "action and value must be short strings")
        if message_id is not None and not isinstance(message_id, str):
            return error(422, "message_id must be a message id")
        where = translate.InRoom(room.community_id, room.space, _identity(member), _now())
        event = translate.to_button_clicked(where, action, value, message_id, uuid.uuid4().hex)
        self.enqueue(event)
        return JSONResponse({"ok": True})

    async def events(self, request: Request) -> Response:
        """Server-sent events: the room's history and the member's private messages, live.

        A browser's EventSource cannot send headers, so the stream is opened with a ticket
        from POST …/ticket: single use and valid one minute, so a copy left in a log is spent.
        """
        room = room_of(self.rooms, request)
        if room is None:
            return error(404, "no such room")
        user_id = await self.members.stream_owner(room, request)
        if user_id is None:
            return error(403, room.texts["unknown_member"])
        keys = [
            streams.room_stream(room.community_id, room.address),
            streams.private_stream(room.community_id, user_id),
        ]
        return StreamingResponse(
            streams.relay(self.redis, keys, request.is_disconnected),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )


def _now() -> datetime:
    return datetime.now(UTC)


def _identity(member: Member) -> Identity:
    return Identity(platform=PLATFORM, user_id=member.user_id, display_name=member.name)
