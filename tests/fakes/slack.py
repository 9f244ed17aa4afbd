"""A local fake of the Slack Web API that validates like Slack does.

The real slack-sdk AsyncWebClient talks to it over HTTP. It checks the bearer token, channels
(unknown, bot not a member, archived), text and Block Kit limits, and per-channel rate limits
(429 with Retry-After), and records every accepted message.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BOT_USER = "U0BOT"
KNOWN_BLOCKS = {
    "section",
    "actions",
    "context",
    "divider",
    "header",
    "image",
    "rich_text",
    "markdown",
}


@dataclass
class Channel:
    members: set[str] = field(default_factory=set)
    archived: bool = False


@dataclass
class FakeSlack:
    """State of the fake workspace; tests arrange channels and read `messages`."""

    token: str = "xoxb-test-token"
    channels: dict[str, Channel] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    per_channel_per_second: int = 3
    fail_next: list[tuple[int, str]] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)
    _sent_at: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def channel(self, channel_id: str, *, bot_member: bool = True, archived: bool = False) -> None:
        self.channels[channel_id] = Channel({BOT_USER} if bot_member else set(), archived)

    def in_channel(self, channel_id: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel"] == channel_id]

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/auth.test", self._auth_test, methods=["POST"]),
                Route("/api/chat.postMessage", self._post_message, methods=["POST"]),
                Route("/api/chat.update", self._update, methods=["POST"]),
                Route("/api/conversations.open", self._open, methods=["POST"]),
                Route("/api/users.info", self._user, methods=["POST", "GET"]),
            ]
        )

    async def _auth_test(self, request: Request) -> Response:
        return self._authorized(request) or _ok(user_id=BOT_USER, team_id="T1", bot_id="B1")

    async def _post_message(self, request: Request) -> Response:
        denied = self._authorized(request)
        if denied:
            return denied
        body = await _body(request)
        channel_id = str(body.get("channel", ""))
        problem = self._injected() or self._channel_problem(channel_id) or _content_problem(body)
        if problem:
            return problem
        if self._too_fast(channel_id):
            return JSONResponse(
                {"ok": False, "error": "ratelimited"}, status_code=429, headers={"Retry-After": "1"}
            )
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        message = {**body, "channel": channel_id, "ts": ts}
        self.messages.append(message)
        return _ok(
            channel=channel_id,
            ts=ts,
            message={"type": "message", "text": body.get("text"), "user": BOT_USER, "ts": ts},
        )

    async def _update(self, request: Request) -> Response:
        denied = self._authorized(request)
        body = await _body(request)
        found = [
            m
            for m in self.messages
            if m["channel"] == body.get("channel") and m["ts"] == body.get("ts")
        ]
        if denied or not found:
            return denied or _error("message_not_found")
        found[0].update(text=body.get("text"), blocks=body.get("blocks"))
        return _ok(channel=body["channel"], ts=body["ts"])

    async def _open(self, request: Request) -> Response:
        denied = self._authorized(request)
        users = str((await _body(request)).get("users", ""))
        if denied or not users.startswith("U"):
            return denied or _error("user_not_found")
        channel_id = "D" + users[1:]
        self.channels.setdefault(channel_id, Channel({BOT_USER, users}))
        return _ok(channel={"id": channel_id})

    async def _user(self, request: Request) -> Response:
        denied = self._authorized(request)
        user = str((await _body(request)).get("user", ""))
        if denied or user not in self.users:
            return denied or _error("user_not_found")
        name = self.users[user]
        return _ok(user={"id": user, "real_name": name, "profile": {"display_name": name}})

    def _authorized(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _error("invalid_auth")
        return None

    def _injected(self) -> Response | None:
        if not self.fail_next:
            return None
        status, error = self.fail_next.pop(0)
        return JSONResponse({"ok": False, "error": error}, status_code=status)

    def _channel_problem(self, channel_id: str) -> Response | None:
        channel = self.channels.get(channel_id)
        if channel is None:
            return _error("channel_not_found")
        if channel.archived:
            return _error("is_archived")
        if BOT_USER not in channel.members:
            return _error("not_in_channel")
        return None

    def _too_fast(self, channel_id: str) -> bool:
        now = time.monotonic()
        recent = [t for t in self._sent_at[channel_id] if now - t < 0.9]  # a little clock slack
        self._sent_at[channel_id] = [*recent, now]
        return len(recent) >= self.per_channel_per_second


def _content_problem(body: dict[str, Any]) -> Response | None:
    text, blocks = body.get("text"), body.get("blocks")
    if not text and not blocks:
        return _error("no_text")
    if isinstance(text, str) and len(text) > 40_000:
        return _error("msg_too_long")
    if blocks is not None and not _valid_blocks(blocks):
        return _error("invalid_blocks")
    return None


def _valid_blocks(blocks: object) -> bool:
    if not isinstance(blocks, list) or len(blocks) > 50:
        return False
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") not in KNOWN_BLOCKS:
            return False
        text = block.get("text")
        if block["type"] == "section" and not (
            isinstance(text, dict) and 0 < len(str(text.get("text", ""))) <= 3000
        ):
            return False
        if block["type"] == "actions" and not (0 < len(block.get("elements") or []) <= 25):
            return False
    return True


async def _body(request: Request) -> dict[str, Any]:
    """Arguments as Slack reads them: JSON body, form body, or query string."""
    raw = await request.body()
    query = dict(request.query_params)
    if request.headers.get("content-type", "").startswith("application/json"):
        data = json.loads(raw or b"{}")
        return {**query, **data} if isinstance(data, dict) else query
    return {**query, **{k: v[0] for k, v in parse_qs(raw.decode()).items()}}


def _ok(**fields: Any) -> JSONResponse:
    return JSONResponse({"ok": True, **fields})


def _error(code: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": code})
