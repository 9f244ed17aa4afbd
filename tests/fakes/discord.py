"""A local fake of Discord's REST API and Gateway that validates like Discord does, and reads
message markdown like Discord's client (`parse_markdown`).

The real discord.py talks to it: REST under `/api/v10` (Bot token auth, exact
`application/json` responses, `X-RateLimit-*` headers on every message route, 429s with `Via`
and `retry_after`, Discord's JSON error codes) and a websocket Gateway at `/gateway` (HELLO,
heartbeats, IDENTIFY with intents checked, READY, GUILD_CREATE, RESUME with replay, dispatch).
Tests arrange channels and users, dispatch events, and read `sent`, `edits` and `callbacks`.

Limits are on by default, each as "no more than N in any window" (see tests/fakes/limits.py):
`per_bot`, Discord's global 50 requests per second, counts every REST request but interaction
callbacks (which Discord exempts); `per_channel`, the message-send bucket commonly observed as
5 per 5 s per channel, counts accepted sends. Over either the answer is Discord's 429 (`Via`,
`Retry-After`, `X-RateLimit-Scope`, and `X-RateLimit-Global` for the global one; JSON
`retry_after` in seconds and `global`). Every counted request is noted in `log`, with whether
it was a 429, and the 429s are counted in `rate_limited`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.fakes.limits import SendLog, Window, admit
from tests.fakes.markup import Span

TOKEN = "MTAwMQ.fake.discord-bot-token"
APPLICATION_ID = "1000"
BOT_ID = "1001"
GUILD_ID = "2000"
PRIVILEGED = {"members": 1 << 1, "presences": 1 << 8, "message_content": 1 << 15}
MAX_CONTENT = 2000


@dataclass
class Channel:
    """A text channel of the guild (type 0) or a DM channel (type 1) with `recipient`."""

    name: str = "general"
    type: int = 0
    recipient: str | None = None
    refusal: int | None = None
    """A 403 Discord answers posts here with: 50001 (no View Channel), 50013 (no Send Messages)."""


@dataclass
class User:
    """A user; `dms_closed` makes Discord refuse DMs to them with 50007."""

    username: str
    dms_closed: bool = False


@dataclass
class Session:
    """One gateway session: the events dispatched to it, replayable on RESUME."""

    id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    socket: WebSocket | None = None


@dataclass
class FakeDiscord:
    """State of the fake; limits in `per_bot` (global) and `per_channel` (message sends)."""

    channels: dict[str, Channel] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    enabled_privileged: set[str] = field(default_factory=lambda: {"members", "message_content"})
    per_bot: Window = field(default_factory=lambda: Window(50, 1.0))
    per_channel: Window = field(default_factory=lambda: Window(5, 5.0))
    log: SendLog = field(default_factory=SendLog)
    sent: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    rate_limited: int = 0
    identifies: int = 0
    resumes: int = 0
    sessions: dict[str, Session] = field(default_factory=dict)
    ws_url: str = ""
    _loop: asyncio.AbstractEventLoop | None = None
    _nonces: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(900_000))

    def in_channel(self, channel_id: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["channel_id"] == channel_id]

    def dm_to(self, user_id: str) -> list[dict[str, Any]]:
        dms = {cid for cid, c in self.channels.items() if c.recipient == user_id}
        return [m for m in self.sent if m["channel_id"] in dms]

    def app(self) -> Starlette:
        api = "/api/v10"
        routes = [
            Route(f"{api}/users/@me", self._me),
            Route(f"{api}/oauth2/applications/@me", self._application),
            Route(f"{api}/gateway/bot", self._gateway_bot),
            Route(f"{api}/gateway", self._gateway_bot),
            Route(f"{api}/channels/{{channel_id}}/messages", self._send, methods=["POST"]),
            Route(
                f"{api}/channels/{{channel_id}}/messages/{{message_id}}",
                self._edit,
                methods=["PATCH"],
            ),
            Route(f"{api}/users/@me/channels", self._open_dm, methods=["POST"]),
            Route(f"{api}/users/{{user_id}}", self._user),
            Route(
                f"{api}/applications/{{application_id}}/commands", self._commands, methods=["PUT"]
            ),
            Route(
                f"{api}/applications/{{application_id}}/commands",
                self._list_commands,
                methods=["GET"],
            ),
            Route(
                f"{api}/interactions/{{interaction_id}}/{{token}}/callback",
                self._callback,
                methods=["POST"],
            ),
        ]
        counted = [
            Route(r.path, self._counted(r.endpoint), methods=r.methods)
            if "/interactions/" not in r.path
            else r
            for r in routes
        ]
        return Starlette(routes=[*counted, WebSocketRoute("/gateway", self._gateway)])

    def _counted(
        self, endpoint: Callable[[Request], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """`endpoint` behind the global limit, each request noted in `log`."""

        async def counted(request: Request) -> Response:
            now = time.monotonic()
            wait = admit([(self.per_bot, "bot")], now)
            response = await endpoint(request) if wait <= 0 else self._too_many(wait, None)
            self.log.note(now, limited=response.status_code == 429)
            return response

        return counted

    # ---- REST ---------------------------------------------------------------------------

    async def _me(self, request: Request) -> Response:
        return _unauthorized() if not _authorized(request) else _json(_bot_user())

    async def _application(self, request: Request) -> Response:
        if not _authorized(request):
            return _unauthorized()
        return _json(
            {
                "id": APPLICATION_ID,
                "name": "Hub",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": {"id": "1", "username": "owner", "discriminator": "0", "avatar": None},
                "verify_key": "00" * 32,
                "flags": 0,
            }
        )

    async def _gateway_bot(self, request: Request) -> Response:
        if not _authorized(request):
            return _unauthorized()
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.ws_url, "shards": 1, "session_start_limit": limit})

    async def _user(self, request: Request) -> Response:
        if not _authorized(request):
            return _unauthorized()
        user_id = request.path_params["user_id"]
        if user_id not in self.users:
            return _error(404, 10013, "Unknown User")
        return _json(_user_payload(user_id, self.users[user_id].username))

    async def _open_dm(self, request: Request) -> Response:
        if not _authorized(request):
            return _unauthorized()
        body = await request.json()
        user_id = str(body.get("recipient_id"))
        if user_id not in self.users:
            return _error(400, 50035, "Invalid Form Body")
        channel_id = next(
            (cid for cid, c in self.channels.items() if c.recipient == user_id), None
        ) or str(next(self._ids))
        self.channels[channel_id] = Channel(name="dm", type=1, recipient=user_id)
        user = _user_payload(user_id, self.users[user_id].username)
        return _json({"id": channel_id, "type": 1, "recipients": [user], "last_message_id": None})

    async def _send(self, request: Request) -> Response:
        if not _authorized(request):
            return _unauthorized()
        channel_id = request.path_params["channel_id"]
        wait = admit([(self.per_channel, channel_id)])
        if wait > 0:
            return self._with_bucket(self._too_many(wait, channel_id), channel_id)
        channel = self.channels.get(channel_id)
        if channel is None:
            return self._with_bucket(_error(404, 10003, "Unknown Channel"), channel_id)
        body = await request.json()
        problem = _refused(channel) or self._invalid(channel, body)
        if problem is not None:
            return self._with_bucket(problem, channel_id)
        nonce = body.get("nonce")
        if body.get("enforce_nonce") and nonce and (channel_id, str(nonce)) in self._nonces:
            return self._with_bucket(_json(self._nonces[(channel_id, str(nonce))]), channel_id)
        message = self._message(channel_id, body)
        self.sent.append({**body, "channel_id": channel_id, "id": message["id"]})
        if nonce:
            self._nonces[(channel_id, str(nonce))] = message
        return self._with_bucket(_json(message), channel_id)

    def _invalid(self, channel: Channel, body: dict[str, Any]) -> Response | None:
        if channel.recipient is not None and self.users[channel.recipient].dms_closed:
            return _error(403, 50007, "Cannot send messages to this user")
        content = body.get("content") or ""
        if not isinstance(content, str):
            return _error(400, 50035, "Invalid Form Body")
        if len(content) > MAX_CONTENT:
            return _error(
                400,
                50035,
                "Invalid Form Body",
                {
                    "content": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_MAX_LENGTH",
                                "message": "Must be 2000 or fewer in length.",
                            }
                        ]
                    }
                },
            )
        if not content and not body.get("components") and not body.get("poll"):
            return _error(400, 50006, "Cannot send an empty message")
        for row in body.get("components") or []:
            for button in row.get("components", []):
                if len(button.get("custom_id", "")) > 100 or len(button.get("label", "")) > 80:
                    return _error(400, 50035, "Invalid Form Body")
        return None

    async def _edit(self, request: Request) -> Response:
        if not _authorized(request):
            return _unauthorized()
        channel_id, message_id = (
            request.path_params["channel_id"],
            request.path_params["message_id"],
        )
        if not any(m["id"] == message_id and m["channel_id"] == channel_id for m in self.sent):
            return _error(404, 10008, "Unknown Message")
        body = await request.json()
        if len(body.get("content") or "") > MAX_CONTENT:
            return _error(400, 50035, "Invalid Form Body")
        self.edits.append({**body, "channel_id": channel_id, "id": message_id})
        return self._with_bucket(_json(self._message(channel_id, body, message_id)), channel_id)

    async def _commands(self, request: Request) -> Response:
        if not _authorized(request):
            return _unauthorized()
        self.commands = [
            {**c, "id": str(next(self._ids)), "application_id": APPLICATION_ID, "version": "1"}
            for c in await request.json()
        ]
        return _json(self.commands)

    async def _list_commands(self, request: Request) -> Response:
        return _json(self.commands) if _authorized(request) else _unauthorized()

    async def _callback(self, request: Request) -> Response:
        self.callbacks.append(
            {"interaction_id": request.path_params["interaction_id"], **(await request.json())}
        )
        return Response(status_code=204)

    def _message(
        self, channel_id: str, body: dict[str, Any], message_id: str | None = None
    ) -> dict[str, Any]:
        """The message Discord returns for a post or an edit by the bot."""
        message = message_payload(
            message_id or str(next(self._ids)),
            channel_id,
            BOT_ID,
            "hub",
            body.get("content") or "",
            components=body.get("components") or [],
        )
        return {**message, "author": _bot_user()}

    def _too_many(self, wait: float, channel_id: str | None) -> Response:
        """Discord's 429: for the channel's bucket, or global when `channel_id` is None."""
        self.rate_limited += 1
        return _too_many(wait, is_global=channel_id is None)

    def _with_bucket(self, response: Response, channel_id: str) -> Response:
        now = time.monotonic()
        bucket = self.per_channel
        used = bucket.used(channel_id, now)
        oldest = bucket.oldest(channel_id)
        reset_after = max(bucket.seconds - (now - oldest), 0.0) if oldest is not None else 0.0
        response.headers.update(
            {
                "X-RateLimit-Limit": str(bucket.count),
                "X-RateLimit-Remaining": str(max(bucket.count - used, 0)),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": "messages-bucket",
            }
        )
        return response

    # ---- Gateway ------------------------------------------------------------------------

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a dispatch to every session (from the test's thread); kept for RESUME replays."""
        assert self._loop is not None, "no gateway session yet"
        future = asyncio.run_coroutine_threadsafe(self._dispatch_all(event, data), self._loop)
        future.result(timeout=5)

    def drop_connections(self) -> None:
        """Close every gateway socket as a network blip would (the client should RESUME)."""
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(self._drop_all(), self._loop)
        future.result(timeout=5)

    async def _drop_all(self) -> None:
        for session in self.sessions.values():
            socket, session.socket = session.socket, None
            if socket is not None:
                await socket.close(code=4000)

    async def _dispatch_all(self, event: str, data: dict[str, Any]) -> None:
        for session in self.sessions.values():
            frame = {"op": 0, "t": event, "s": len(session.events) + 1, "d": data}
            session.events.append(frame)
            if session.socket is not None:
                try:
                    await session.socket.send_text(json.dumps(frame))
                except (RuntimeError, WebSocketDisconnect):
                    session.socket = None

    async def _gateway(self, socket: WebSocket) -> None:
        self._loop = asyncio.get_running_loop()
        await socket.accept()
        await socket.send_text(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        session: Session | None = None
        try:
            while True:
                frame = json.loads(await socket.receive_text())
                session = await self._handle(socket, session, frame)
                if frame.get("op") == 2 and session is None:
                    return
        except WebSocketDisconnect:
            pass
        finally:
            if session is not None and session.socket is socket:
                session.socket = None

    async def _handle(
        self, socket: WebSocket, session: Session | None, frame: dict[str, Any]
    ) -> Session | None:
        """One frame from the client: heartbeat, IDENTIFY, RESUME or a member chunk request."""
        op = frame.get("op")
        if op == 1:
            await socket.send_text(json.dumps({"op": 11}))
        elif op == 2:
            return await self._identify(socket, frame["d"])
        elif op == 6:
            return await self._resume(socket, frame["d"])
        elif op == 8:
            chunk = {"guild_id": GUILD_ID, "members": [], "chunk_index": 0, "chunk_count": 1}
            chunk["nonce"] = frame["d"].get("nonce")
            await socket.send_text(
                json.dumps({"op": 0, "t": "GUILD_MEMBERS_CHUNK", "s": None, "d": chunk})
            )
        return session

    async def _identify(self, socket: WebSocket, data: dict[str, Any]) -> Session | None:
        if data.get("token") != TOKEN:
            await socket.close(code=4004)
            return None
        intents = int(data.get("intents", 0))
        refused = [
            n for n, bit in PRIVILEGED.items() if intents & bit and n not in self.enabled_privileged
        ]
        if refused:
            await socket.close(code=4014)
            return None
        self.identifies += 1
        session = Session(id=f"session-{self.identifies}", socket=socket)
        self.sessions[session.id] = session
        ready = {
            "v": 10,
            "user": _bot_user(),
            "guilds": [{"id": GUILD_ID, "unavailable": True}],
            "session_id": session.id,
            "resume_gateway_url": self.ws_url,
            "application": {"id": APPLICATION_ID, "flags": 0},
        }
        await self._send_frame(session, "READY", ready)
        await self._send_frame(session, "GUILD_CREATE", self._guild())
        return session

    async def _resume(self, socket: WebSocket, data: dict[str, Any]) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != TOKEN or session is None:
            await socket.send_text(json.dumps({"op": 9, "d": False}))
            return None
        self.resumes += 1
        session.socket = socket
        for frame in session.events[int(data.get("seq") or 0) :]:
            await socket.send_text(json.dumps(frame))
        await self._send_frame(session, "RESUMED", {})
        return session

    async def _send_frame(self, session: Session, event: str, data: dict[str, Any]) -> None:
        frame = {"op": 0, "t": event, "s": len(session.events) + 1, "d": data}
        session.events.append(frame)
        assert session.socket is not None
        await session.socket.send_text(json.dumps(frame))

    def _guild(self) -> dict[str, Any]:
        channels = [
            {"id": cid, "type": c.type, "name": c.name, "position": i, "guild_id": GUILD_ID}
            for i, (cid, c) in enumerate(self.channels.items())
            if c.type == 0
        ]
        return {
            "id": GUILD_ID,
            "name": "Inside Freelancing",
            "owner_id": "1",
            "unavailable": False,
            "member_count": 1,
            "large": False,
            "joined_at": "2026-01-01T00:00:00+00:00",
            "roles": [{"id": GUILD_ID, "name": "@everyone", "permissions": "0", "position": 0}],
            "channels": channels,
            "members": [],
            "threads": [],
            "emojis": [],
            "stickers": [],
            "features": [],
        }


# ---- wire payloads a test dispatches --------------------------------------------------------


def member_payload(user_id: str, username: str) -> dict[str, Any]:
    """A guild member as GUILD_MEMBER_ADD and MESSAGE_CREATE carry it."""
    return {
        "user": _user_payload(user_id, username),
        "roles": [],
        "flags": 0,
        "joined_at": "2026-11-25T09:00:00+00:00",
        "deaf": False,
        "mute": False,
        "nick": None,
        "pending": False,
    }


def message_payload(
    message_id: str, channel_id: str, user_id: str, username: str, content: str, **extra: Any
) -> dict[str, Any]:
    """A MESSAGE_CREATE in the guild."""
    member = member_payload(user_id, username)
    member.pop("user")
    return {
        "id": message_id,
        "channel_id": channel_id,
        "guild_id": GUILD_ID,
        "type": 0 if "message_reference" not in extra else 19,
        "content": content,
        "author": _user_payload(user_id, username),
        "member": member,
        "timestamp": "2026-11-25T09:00:00.000000+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        **extra,
    }


def interaction_payload(
    interaction_id: str,
    kind: int,
    data: dict[str, Any],
    channel_id: str,
    user_id: str,
    **extra: Any,
) -> dict[str, Any]:
    """An INTERACTION_CREATE (2: slash command, 3: component) from a guild member."""
    member = member_payload(user_id, f"user{user_id}")
    member["permissions"] = "0"
    return {
        "id": interaction_id,
        "application_id": APPLICATION_ID,
        "type": kind,
        "token": f"itok-{interaction_id}",
        "version": 1,
        "data": data,
        "guild_id": GUILD_ID,
        "channel_id": channel_id,
        "channel": {"id": channel_id, "type": 0, "guild_id": GUILD_ID, "name": "general"},
        "member": member,
        "locale": "fr",
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {},
        "attachment_size_limit": 8_000_000,
        **extra,
    }


def hub_command_payload(
    interaction_id: str, channel_id: str, user_id: str, words: str
) -> dict[str, Any]:
    """An INTERACTION_CREATE for `/hub command:<words>`, as Discord sends a slash command."""
    option = {"name": "command", "type": 3, "value": words}
    data = {"id": "555", "name": "hub", "type": 1, "options": [option]}
    return interaction_payload(interaction_id, 2, data, channel_id, user_id)


def _user_payload(user_id: str, username: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": username,
        "discriminator": "0",
        "avatar": None,
        "global_name": username,
    }


def _bot_user() -> dict[str, Any]:
    return {**_user_payload(BOT_ID, "hub"), "bot": True}


def _refused(channel: Channel) -> Response | None:
    """The 403 a channel the bot lacks a permission in answers posts with."""
    if channel.refusal is None:
        return None
    missing = {50001: "Missing Access", 50013: "Missing Permissions"}
    return _error(403, channel.refusal, missing.get(channel.refusal, "Forbidden"))


def _authorized(request: Request) -> bool:
    return request.headers.get("authorization") == f"Bot {TOKEN}"


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status_code=status, media_type="application/json")


def _error(status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return _json(body, status)


def _unauthorized() -> Response:
    return _error(401, 0, "401: Unauthorized")


def _too_many(wait: float, *, is_global: bool) -> Response:
    response = _json(
        {
            "message": "You are being rate limited.",
            "retry_after": round(wait, 3),
            "global": is_global,
        },
        429,
    )
    response.headers.update(
        {
            "Via": "1.1 google",
            "Retry-After": str(max(1, math.ceil(wait))),
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
    )
    if is_global:
        response.headers["X-RateLimit-Global"] = "true"
    return response


# ---- markdown, as Discord's client displays it --------------------------------------------
# The inline rules are simple-markdown's (which Discord's client is built on), tried in its
# order at each position; bold, italic and underline share one rank and the longest match
# wins. Each line is read on its own (marks never span lines here: stricter than Discord).

_Reader = Callable[[re.Match[str], frozenset[str], Mapping[str, str]], list[Span]]
_HEADING = re.compile(r"(?:#{1,3}|-#) +")
_QUOTE = re.compile(r">(?:>>)? ")
_LIST = re.compile(r" *(?:([*+-])|\d+\.) ")
_ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")
_CODE = re.compile(r"(`+)([\s\S]*?[^`])\1(?!`)")
_ANGLE_LINK = re.compile(r"<(https?://[^ >]+)>")
_URL = re.compile(r"https?://[^\s\ufeff<]+[^<.,:;\"')\]\s\ufeff]")  # JS's \s has U+FEFF
_MASKED = re.compile(
    r"\[((?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*)\]"
    r"\(\s*<?((?:\([^)]*\)|[^\s\\]|\\.)*?)>?(?:\s+['\"]([\s\S]*?)['\"])?\s*\)"
)
_USER = re.compile(r"<@!?(\d+)>")
_OTHER_PINGS = re.compile(r"<@&\d+>|@everyone|@here")
_TAGS = re.compile(r"<#\d+>|<a?:\w+:\d+>|<t:-?\d+(?::[tTdDfFR])?>|</[\w -]+:\d+>")
_STRONG = re.compile(r"\*\*((?:\\[\s\S]|[^\\])+?)\*\*(?!\*)")
_UNDERLINE = re.compile(r"__((?:\\[\s\S]|[^\\])+?)__(?!_)")
_EM = re.compile(
    r"\b_((?:__|\\[\s\S]|[^\\_])+?)_\b"
    r"|\*(?=\S)((?:\*\*|\\[\s\S]|\s+(?:\\[\s\S]|[^\s*\\]|\*\*)|[^\s*\\])+?)\*(?!\*)"
)
_DEL = re.compile(r"~~([\s\S]+?)~~(?!_)")
_SPOILER = re.compile(r"\|\|([\s\S]+?)\|\|")
_TEXT = re.compile(r"[\s\S]+?(?=[^0-9A-Za-z\s\u00c0-\uffff]|\w+:\S|$)")


def parse_markdown(content: str, users: Mapping[str, str] | None = None) -> list[Span]:
    """What a message's content shows, as spans (see tests/fakes/markup.py): headings,
    quotes and lists at a line start, then simple-markdown's inline rules. A user mention
    shows `@name` from `users`; `@everyone`, `@here` and role mentions are marked
    `everyone` (whether they ping is `allowed_mentions`' business)."""
    spans: list[Span] = []
    for index, line in enumerate(content.split("\n")):
        if index:
            spans.append(("\n", frozenset()))
        spans += _line(line, users or {})
    return spans


def _line(line: str, users: Mapping[str, str]) -> list[Span]:
    for pattern, mark in ((_HEADING, "heading"), (_QUOTE, "quote")):
        found = pattern.match(line)
        if found:
            return _inline(line[found.end() :], frozenset({mark}), users)
    listed = _LIST.match(line)
    if listed and listed.group(1):
        return [("• ", frozenset()), *_inline(line[listed.end() :], frozenset(), users)]
    if listed:
        return _inline(line, frozenset({"list"}), users)
    return _inline(line, frozenset(), users)


def _inline(text: str, marks: frozenset[str], users: Mapping[str, str]) -> list[Span]:
    spans: list[Span] = []
    position = 0
    while position < len(text):
        read, length = _rule(text[position:], marks, users)
        spans += read
        position += length
    return spans


def _rule(rest: str, marks: frozenset[str], users: Mapping[str, str]) -> tuple[list[Span], int]:
    for pattern, reader in _RULES:
        found = pattern.match(rest)
        if found:
            return reader(found, marks, users), found.end()
    ranked = _emphasis(rest)
    if ranked is not None:
        found, mark = ranked
        inner = next(group for group in found.groups() if group is not None)
        return _inline(inner, marks | {mark}, users), found.end()
    for pattern, mark in ((_DEL, "strike"), (_SPOILER, "spoiler")):
        found = pattern.match(rest)
        if found:
            return _inline(found.group(1), marks | {mark}, users), found.end()
    found = _TEXT.match(rest)
    length = found.end() if found else 1
    return [(rest[:length], marks)], length


def _emphasis(rest: str) -> tuple[re.Match[str], str] | None:
    """Bold, italic or underline: simple-markdown ranks them by length (italic first)."""
    best: tuple[float, re.Match[str], str] | None = None
    for pattern, mark, bonus in (
        (_EM, "italic", 0.2),
        (_STRONG, "bold", 0.1),
        (_UNDERLINE, "underline", 0.0),
    ):
        found = pattern.match(rest)
        if found and (best is None or found.end() + bonus > best[0]):
            best = (found.end() + bonus, found, mark)
    return (best[1], best[2]) if best else None


def _literal(found: re.Match[str], marks: frozenset[str], _: Mapping[str, str]) -> list[Span]:
    return [(found.group(1), marks)]


def _code(found: re.Match[str], marks: frozenset[str], _: Mapping[str, str]) -> list[Span]:
    return [(found.group(2), marks | {"code"})]


def _angle_link(found: re.Match[str], marks: frozenset[str], _: Mapping[str, str]) -> list[Span]:
    return [(found.group(1), marks | {f"link:{found.group(1)}"})]


def _address(found: re.Match[str], marks: frozenset[str], _: Mapping[str, str]) -> list[Span]:
    return [(found.group(), marks | {"autolink"})]


def _masked(found: re.Match[str], marks: frozenset[str], users: Mapping[str, str]) -> list[Span]:
    return _inline(found.group(1), marks | {f"link:{found.group(2)}"}, users)


def _user(found: re.Match[str], marks: frozenset[str], users: Mapping[str, str]) -> list[Span]:
    user = found.group(1)
    return [("@" + users.get(user, user), marks | {f"mention:{user}"})]


def _ping(found: re.Match[str], marks: frozenset[str], _: Mapping[str, str]) -> list[Span]:
    return [(found.group(), marks | {"everyone"})]


def _tag(found: re.Match[str], marks: frozenset[str], _: Mapping[str, str]) -> list[Span]:
    return [(found.group(), marks | {"tag"})]


_RULES: tuple[tuple[re.Pattern[str], _Reader], ...] = (
    (_ESCAPE, _literal),
    (_CODE, _code),
    (_ANGLE_LINK, _angle_link),
    (_URL, _address),
    (_MASKED, _masked),
    (_USER, _user),
    (_OTHER_PINGS, _ping),
    (_TAGS, _tag),
)
