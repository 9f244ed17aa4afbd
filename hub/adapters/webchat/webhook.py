"""The webchat's web side: the page, joining, posting, and a server-sent event stream.

Requests are validated before anything is enqueued: unknown rooms are 404, bad bodies 400 or
422, a wrong member token 403.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import redis.asyncio as aioredis
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from hub.adapters.webchat import streams, translate
from hub.adapters.webchat.settings import WebchatSettings
from hub.adapters.wire import json_object
from hub.core.community import CommunityRuntime
from hub.core.config.models import PlatformSection
from hub.core.domain import Identity
from hub.core.ports import AdapterResources, Enqueue

PAGE = (Path(__file__).parent / "page.html").read_text(encoding="utf-8")
MAX_NAME, MAX_TEXT, MAX_BODY = 60, 4000, 16_384


@dataclass(frozen=True, slots=True)
class Room:
    """A configured webchat space of one community."""

    community_id: str
    community_name: str
    space: str
    address: str
    settings: WebchatSettings


class WebchatListener:
    """Serves rooms and turns what people do in them into core events."""

    body_limits: ClassVar[dict[str, int]] = {"/chat/": MAX_BODY}
    """Bytes a webchat request may carry (the web app refuses more as it streams in)."""

    def __init__(
        self, rooms: Mapping[tuple[str, str], Room], redis_url: str, enqueue: Enqueue
    ) -> None:
        self.rooms = rooms
        self.redis = aioredis.Redis.from_url(redis_url)
        self.enqueue = enqueue
        self._fallback_secret = secrets.token_bytes(32)

    @classmethod
    def from_sections(
        cls,
        sections: list[tuple[CommunityRuntime, PlatformSection]],
        resources: AdapterResources,
        enqueue: Enqueue,
    ) -> WebchatListener:
        """One listener for the webchat rooms of every community."""
        rooms: dict[tuple[str, str], Room] = {}
        for runtime, section in sections:
            assert isinstance(section, WebchatSettings)
            community = runtime.community
            for space, address in section.spaces.items():
                rooms[(community.id, space)] = Room(
                    community.id, community.name, space, address, section
                )
        return cls(rooms, resources.redis_url, enqueue)

    def routes(self) -> list[BaseRoute]:
        """Routes under /chat/{community}/{space}."""
        return [
            Route("/chat/{community}/{space}", self.page, methods=["GET"]),
            Route("/chat/{community}/{space}/join", self.join, methods=["POST"]),
            Route("/chat/{community}/{space}/messages", self.post_message, methods=["POST"]),
            Route("/chat/{community}/{space}/events", self.events, methods=["GET"]),
            Route("/chat/{community}/{space}/click", self.click, methods=["POST"]),
        ]

    def _room(self, request: Request) -> Room | None:
        return self.rooms.get((request.path_params["community"], request.path_params["space"]))

    def _token(self, room: Room, user_id: str) -> str:
        secret = (
            room.settings.secret.get_secret_value().encode()
            if room.settings.secret
            else self._fallback_secret
        )
        return hmac.new(
            secret, f"{room.community_id}:{user_id}".encode(), hashlib.sha256
        ).hexdigest()

    def _identity(self, room: Room, data: Mapping[str, Any]) -> Identity | None:
        user_id, token, name = data.get("user_id"), data.get("token"), data.get("name")
        if not all(isinstance(v, str) for v in (user_id, token, name)):
            return None
        assert isinstance(user_id, str) and isinstance(token, str) and isinstance(name, str)
        if not hmac.compare_digest(token, self._token(room, user_id)):
            return None
        return Identity(platform=translate.PLATFORM, user_id=user_id, display_name=name[:MAX_NAME])

    async def page(self, request: Request) -> Response:
        """The chat page."""
        room = self._room(request)
        if room is None:
            return HTMLResponse("<h1>No such room</h1>", status_code=404)
        config = json.dumps(
            {"community": room.community_id, "space": room.space, "name": room.community_name}
        )
        return HTMLResponse(PAGE.replace("__ROOM_CONFIG__", config.replace("<", "\\u003c")))

    async def join(self, request: Request) -> Response:
        """A person picks a display name: they get an identity token and the hub hears a join."""
        room = self._room(request)
        if room is None:
            return _error(404, "no such room")
        data = await _json_body(request)
        name = data.get("name") if data is not None else None
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            return _error(422, f"name must be 1 to {MAX_NAME} characters")
        user_id = uuid.uuid4().hex
        now = datetime.now(UTC)
        self.enqueue(
            translate.to_member_joined(room.community_id, room.space, user_id, name.strip(), now)
        )
        return JSONResponse(
            {"user_id": user_id, "token": self._token(room, user_id), "name": name.strip()}
        )

    async def post_message(self, request: Request) -> Response:
        """A member writes: the message is shown in the room and handed to the hub."""
        room = self._room(request)
        if room is None:
            return _error(404, "no such room")
        data = await _json_body(request)
        if data is None:
            return _error(400, "expected a JSON object")
        identity = self._identity(room, data)
        if identity is None:
            return _error(403, "unknown member; join the room first")
        text, reply_to = data.get("text"), data.get("reply_to")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            return _error(422, f"text must be 1 to {MAX_TEXT} characters")
        if reply_to is not None and not isinstance(reply_to, str):
            return _error(422, "reply_to must be a message id")
        entry = {
            "author": identity.display_name,
            "user_id": identity.user_id,
            "text": text,
            "reply_to": reply_to,
        }
        stream = streams.room_stream(room.community_id, room.address)
        message_id = (
            await self.redis.xadd(stream, streams.encode(entry), maxlen=room.settings.history)
        ).decode()
        now = datetime.now(UTC)
        self.enqueue(
            translate.to_message_event(
                room.community_id, room.space, identity, text, message_id, reply_to, now
            )
        )
        return JSONResponse({"message_id": message_id})

    async def click(self, request: Request) -> Response:
        """A member pressed a button: the hub hears which one."""
        room = self._room(request)
        if room is None:
            return _error(404, "no such room")
        data = await _json_body(request)
        identity = self._identity(room, data) if data is not None else None
        if data is None or identity is None:
            return _error(403 if data is not None else 400, "unknown member; join the room first")
        action, value, message_id = (
            data.get("action"),
            data.get("value", ""),
            data.get("message_id"),
        )
        if (
            not isinstance(action, str)
            or not action
            or not isinstance(value, str)
            or len(action + value) > 200
        ):
            return _error(422, "action and value must be short strings")
        if message_id is not None and not isinstance(message_id, str):
            return _error(422, "message_id must be a message id")
        event = translate.to_button_clicked(
            room.community_id,
            room.space,
            identity,
            action,
            value,
            message_id,
            uuid.uuid4().hex,
            datetime.now(UTC),
        )
        self.enqueue(event)
        return JSONResponse({"ok": True})

    async def events(self, request: Request) -> Response:
        """Server-sent events: the room's recent history, then every new message as it comes."""
        room = self._room(request)
        if room is None:
            return _error(404, "no such room")
        identity = self._identity(room, request.query_params)
        if identity is None:
            return _error(403, "unknown member; join the room first")
        keys = [
            streams.room_stream(room.community_id, room.address),
            streams.private_stream(room.community_id, identity.user_id),
        ]
        return StreamingResponse(
            self._stream(keys, request.is_disconnected),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def _stream(self, keys: list[str], gone: Callable[[], Any]) -> AsyncIterator[str]:
        cursors: dict[Any, Any] = {key: "0-0" for key in keys}
        yield ": connected\n\n"
        while not await gone():
            batches = await self.redis.xread(cursors, block=5000, count=100)
            if not batches:
                yield ": keep-alive\n\n"
                continue
            for key, entries in batches:
                for entry_id, fields in entries:
                    cursors[key.decode()] = entry_id.decode()
                    message = {"id": entry_id.decode(), **streams.decode(fields)}
                    yield f"id: {entry_id.decode()}\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"
            await asyncio.sleep(0)


async def _json_body(request: Request) -> dict[str, Any] | None:
    return json_object(await request.body())


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
