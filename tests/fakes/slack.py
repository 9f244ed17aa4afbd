"""A local fake of the Slack Web API that validates like Slack does, and reads mrkdwn like it.

The real slack-sdk AsyncWebClient talks to it over HTTP. It checks the bearer token, channels
(unknown, bot not a member, archived), text and Block Kit limits, and records every accepted
message.

`chat.postMessage` is held to Slack's published special tier, on by default: 1 message per
second per channel, as "no more than N in any window" (see tests/fakes/limits.py). Over it the
answer is Slack's HTTP 429 with `Retry-After` (whole seconds, rounded up) and
`{"ok": false, "error": "ratelimited"}`. The workspace-wide cap is not published and not
applied. Every post is noted in `log`, and the 429s counted in `rate_limited`.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.limits import SendLog, Window, admit
from tests.fakes.markup import CLOSES_BEFORE, OPENS_AFTER, Atom, Span, flanked

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
    per_channel: Window = field(default_factory=lambda: Window(1, 1.0))
    rate_limited: int = 0
    log: SendLog = field(default_factory=SendLog)
    fail_next: list[tuple[int, str]] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)
    disabled_users: set[str] = field(default_factory=set)
    """Deactivated accounts: conversations.open answers `user_disabled`."""
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
        limited = self._too_fast(channel_id)
        if limited:
            return limited
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
        if users == BOT_USER:
            return _error("cannot_dm_bot")
        if users in self.disabled_users:
            return _error("user_disabled")
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

    def _too_fast(self, channel_id: str) -> Response | None:
        """Slack's 429 if this post would break the channel's limit; else it is counted."""
        now = time.monotonic()
        wait = admit([(self.per_channel, channel_id)], now)
        self.log.note(now, limited=wait > 0)
        if wait <= 0:
            return None
        self.rate_limited += 1
        return JSONResponse(
            {"ok": False, "error": "ratelimited"},
            status_code=429,
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


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


# ---- mrkdwn, as Slack displays it ---------------------------------------------------------

_DELIMITERS = {"*": "bold", "_": "italic", "~": "strike"}
_ENTITY = re.compile(r"&(?:amp|lt|gt);")
_URL = re.compile(r"https?://[^\s<>\u200b\u2060]+")
_CONTROL = re.compile(r"<([^<>]*)>")
_QUOTE = re.compile(r"[ \t]*(?:&gt;|>)[ \t]?")
_SPECIAL = {"!here": "@here", "!channel": "@channel", "!everyone": "@everyone"}


def parse_mrkdwn(text: str, users: Mapping[str, str] | None = None) -> list[Span]:
    """What a section's mrkdwn shows, as spans (see tests/fakes/markup.py). Documented rules:
    `&amp; &lt; &gt;` are the only escapes and `<…>` is always a control sequence (a raw `<`
    or `>` is marked `unescaped`); `*b* _i_ ~s~` and `` `code` `` mark a span of one line;
    a line starting with `>` is a quote; bare web addresses are linked whole; a link's label
    is shown as text. User mentions show `@name` from `users`."""
    spans: list[Span] = []
    for index, line in enumerate(text.split("\n")):
        if index:
            spans.append(("\n", frozenset()))
        quote = _QUOTE.match(line)
        body = line[quote.end() :] if quote else line
        extra = frozenset({"quote"}) if quote else frozenset()
        atoms = _atoms(body, users or {})
        spans += [(shown, marks | extra) for shown, marks in flanked(atoms, body, _DELIMITERS)]
    return spans


def _atoms(line: str, users: Mapping[str, str]) -> list[Atom]:
    atoms: list[Atom] = []
    position = 0
    while position < len(line):
        atom = _atom_at(line, position, users)
        atoms.append(atom)
        position = atom.end
    return atoms


def _atom_at(line: str, at: int, users: Mapping[str, str]) -> Atom:
    for reader in (_control, _entity, _address, _code):
        atom = reader(line, at, users)
        if atom is not None:
            return atom
    char = line[at]
    if char in "<>":
        return Atom(char, frozenset({"unescaped"}), at, at + 1)
    return Atom(char, frozenset(), at, at + 1, char if char in _DELIMITERS else "")


def _control(line: str, at: int, users: Mapping[str, str]) -> Atom | None:
    found = _CONTROL.match(line, at)
    if found is None:
        return None
    inside = found.group(1)
    if inside.startswith("@"):
        user = inside[1:].split("|")[0]
        return Atom("@" + users.get(user, user), frozenset({f"mention:{user}"}), at, found.end())
    if inside.split("|")[0] in _SPECIAL or inside.startswith("!"):
        shown = _SPECIAL.get(inside.split("|")[0], inside)
        return Atom(shown, frozenset({"everyone"}), at, found.end())
    target, _, label = inside.partition("|")
    mark = "channel" if target.startswith("#") else f"link:{html.unescape(target)}"
    return Atom(html.unescape(label or target), frozenset({mark}), at, found.end())


def _entity(line: str, at: int, _: Mapping[str, str]) -> Atom | None:
    found = _ENTITY.match(line, at)
    return Atom(html.unescape(found.group()), frozenset(), at, found.end()) if found else None


def _address(line: str, at: int, _: Mapping[str, str]) -> Atom | None:
    found = _URL.match(line, at)
    if found is None or (at and line[at - 1] not in OPENS_AFTER):
        return None
    return Atom(html.unescape(found.group()), frozenset({"autolink"}), at, found.end())


def _code(line: str, at: int, _: Mapping[str, str]) -> Atom | None:
    if line[at] != "`" or (at and line[at - 1] not in OPENS_AFTER):
        return None
    end = line.find("`", at + 1)
    after = line[end + 1] if 0 <= end < len(line) - 1 else "\n"
    if end <= at + 1 or line[at + 1].isspace() or after not in CLOSES_BEFORE:
        return None
    return Atom(html.unescape(line[at + 1 : end]), frozenset({"code"}), at, end + 1)
