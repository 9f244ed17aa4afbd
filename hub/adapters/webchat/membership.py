"""Who is who on the webchat: joining with a name, renaming, and proving it on each request.

The display name is bound to the session at /join and changes only through /rename; both go
through the same checks (a usable name, not the hub's, not another member's in the community).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime

import redis.asyncio as aioredis
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.adapters.webchat import translate
from hub.adapters.webchat.names import MAX_NAME, clean_name, name_key, reserved_keys
from hub.adapters.webchat.rooms import Room, error, json_body, room_of
from hub.adapters.webchat.sessions import Member, Sessions
from hub.adapters.webchat.texts import TEXTS
from hub.core.ports import Enqueue, StartupError

PRIVATE = {"Cache-Control": "no-store"}
HUB_LABELS = tuple(texts[key] for texts in TEXTS.values() for key in ("hub", "hub_private"))


class Membership:
    """Every community's sessions, and the join, rename and ticket routes."""

    def __init__(
        self, rooms: Mapping[tuple[str, str], Room], redis: aioredis.Redis, enqueue: Enqueue
    ) -> None:
        self.rooms = rooms
        self.enqueue = enqueue
        self.sessions: dict[str, Sessions] = {}
        self.reserved: dict[str, frozenset[str]] = {}
        for room in rooms.values():
            secret = room.settings.secret.get_secret_value() if room.settings.secret else ""
            if secret:
                self.sessions[room.community_id] = Sessions(
                    redis, room.community_id, secret.encode()
                )
            self.reserved[room.community_id] = reserved_keys(*HUB_LABELS, room.community_name)

    def check_secrets(self) -> None:
        """Refuse to serve a community whose sessions no secret keys."""
        missing = sorted({r.community_id for r in self.rooms.values()} - set(self.sessions))
        if missing:
            raise StartupError(
                f"the webchat of {', '.join(missing)} has no secret to key its member sessions: "
                "set WEBCHAT_SECRET to a long random value (for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`); only `hub run` "
                "on embedded defaults makes one itself, in var/webchat.secret"
            )

    async def authorised(self, request: Request) -> tuple[Room, Member] | Response:
        """The room and the member whose bearer token came with the request, or the refusal."""
        room = room_of(self.rooms, request)
        if room is None:
            return error(404, "no such room")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        member = (
            await self.sessions[room.community_id].member(token.strip())
            if scheme.lower() == "bearer"
            else None
        )
        if member is None:
            return error(403, room.texts["unknown_member"])
        return room, member

    def _named(self, room: Room, raw: object) -> tuple[str, str] | Response:
        """The clean name and its key, or why it cannot be anyone's name here."""
        name = clean_name(raw)
        if name is None:
            return error(422, room.texts["name_invalid"].format(max=MAX_NAME))
        key = name_key(name)
        if key in self.reserved[room.community_id]:
            return error(422, room.texts["name_reserved"].format(name=name))
        return name, key

    async def join(self, request: Request) -> Response:
        """A person picks a display name: they get a session token and the hub hears a join."""
        room = room_of(self.rooms, request)
        if room is None:
            return error(404, "no such room")
        data = await json_body(request)
        named = self._named(room, data.get("name") if data is not None else None)
        if isinstance(named, Response):
            return named
        sessions = self.sessions[room.community_id]
        limit, window = room.settings.joins_per_window, room.settings.join_window.total_seconds()
        if wait := await sessions.join_wait(_client(request), limit, window):
            message = room.texts["too_many_joins"].format(minutes=math.ceil(wait / 60))
            return error(429, message, {"Retry-After": str(wait)})
        joined = await sessions.join(*named)
        if joined is None:
            return error(409, room.texts["name_taken"].format(name=named[0]))
        token, member = joined
        await sessions.first_visit(member, room.space)
        self._joined(room, member)
        return JSONResponse({"token": token, "name": member.name}, headers=PRIVATE)

    async def rename(self, request: Request) -> Response:
        """A member changes their display name, under the same rules as at join."""
        found = await self.authorised(request)
        if isinstance(found, Response):
            return found
        room, member = found
        data = await json_body(request)
        named = self._named(room, data.get("name") if data is not None else None)
        if isinstance(named, Response):
            return named
        if not await self.sessions[room.community_id].rename(member, *named):
            return error(409, room.texts["name_taken"].format(name=named[0]))
        return JSONResponse({"name": named[0]})

    async def ticket(self, request: Request) -> Response:
        """A single-use ticket for the event stream (a first visit to this room is a join)."""
        found = await self.authorised(request)
        if isinstance(found, Response):
            return found
        room, member = found
        sessions = self.sessions[room.community_id]
        if await sessions.first_visit(member, room.space):
            self._joined(room, member)
        ticket = await sessions.ticket(member)
        return JSONResponse({"ticket": ticket, "name": member.name}, headers=PRIVATE)

    async def stream_owner(self, room: Room, request: Request) -> str | None:
        """The user id whose ticket opens this event stream, once."""
        ticket = request.query_params.get("ticket", "")
        return await self.sessions[room.community_id].redeem(ticket)

    def _joined(self, room: Room, member: Member) -> None:
        now = datetime.now(UTC)
        self.enqueue(
            translate.to_member_joined(
                room.community_id, room.space, member.user_id, member.name, now
            )
        )


def _client(request: Request) -> str:
    """The client's address as the server sees it (uvicorn applies trusted proxy headers)."""
    return request.client.host if request.client else "unknown"
