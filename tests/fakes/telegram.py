"""A local fake of the Telegram Bot API that validates like Telegram does.

The real python-telegram-bot `Bot` talks to it over HTTP (form-encoded bodies, JSON-encoded
non-string values). It checks the token, chats (unknown, blocked, migrated), text (empty, too
long, HTML Telegram cannot parse: see `parse_html`), and records what it accepts.

Sends (`sendMessage`, `sendPoll`) are held to the Bot FAQ's limits, on by default: 30 per
second per bot, 1 per second per chat, 20 per minute per group (any chat that is not private),
each as "no more than N in any window" (see tests/fakes/limits.py). Over any of them the answer
is Telegram's 429 with `parameters.retry_after` (whole seconds, rounded up). Every send request
is noted in `log`, and the 429s counted in `rate_limited`.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.limits import SendLog, Window, admit
from tests.fakes.markup import MarkupError, Span

TOKEN = "123456:TEST-token"


@dataclass
class Chat:
    type: str = "supergroup"
    blocked: bool = False
    migrated_to: int | None = None
    forbidden: str | None = None
    """Another 403 Telegram gives for this chat ("user is deactivated", "bot was kicked...")."""


@dataclass
class FakeTelegram:
    """State of the fake Bot API; tests arrange chats and read `sent`."""

    chats: dict[str, Chat] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    answered_callbacks: list[str] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    webhook: str | None = None
    webhook_args: dict[str, Any] = field(default_factory=dict)
    per_bot: Window = field(default_factory=lambda: Window(30, 1.0))
    per_chat: Window = field(default_factory=lambda: Window(1, 1.0))
    per_group: Window = field(default_factory=lambda: Window(20, 60.0))
    rate_limited: int = 0
    log: SendLog = field(default_factory=SendLog)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100))

    def in_chat(self, chat_id: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if str(m["chat_id"]) == chat_id]

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._call, methods=["POST"])])

    async def _call(self, request: Request) -> Response:
        if request.path_params["token"] != TOKEN:
            return _fail(401, "Unauthorized")
        args = await _args(request)
        handler = getattr(self, "_" + request.path_params["method"], None)
        if handler is None:
            return _fail(404, "Not Found: method not found")
        result: Response = handler(args)
        return result

    def _getMe(self, _: dict[str, Any]) -> Response:
        return _ok({"id": 42, "is_bot": True, "first_name": "Hub", "username": "hub_test_bot"})

    def _getUpdates(self, args: dict[str, Any]) -> Response:
        if self.webhook is not None:
            return _fail(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(args.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return _ok(self.updates[:100])

    def _setWebhook(self, args: dict[str, Any]) -> Response:
        self.webhook = str(args.get("url"))
        self.webhook_args = args
        return _ok(True)

    def _deleteWebhook(self, _: dict[str, Any]) -> Response:
        self.webhook = None
        return _ok(True)

    def _answerCallbackQuery(self, args: dict[str, Any]) -> Response:
        self.answered_callbacks.append(str(args.get("callback_query_id")))
        return _ok(True)

    def _sendMessage(self, args: dict[str, Any]) -> Response:
        chat_id = str(args.get("chat_id", ""))
        problem = self._chat_problem(chat_id) or _text_problem(args) or self._too_fast(chat_id)
        if problem:
            return problem
        return _ok(self._record(chat_id, args))

    def _sendPoll(self, args: dict[str, Any]) -> Response:
        chat_id = str(args.get("chat_id", ""))
        problem = self._chat_problem(chat_id) or self._too_fast(chat_id)
        if problem:
            return problem
        options = [o["text"] if isinstance(o, dict) else o for o in args.get("options", [])]
        message = self._record(chat_id, {**args, "options": options})
        message["poll"] = {
            "id": f"poll{message['message_id']}",
            "question": args.get("question"),
            "options": [
                {"text": o, "voter_count": 0, "persistent_id": f"o{i}"}
                for i, o in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": args.get("is_anonymous", True),
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        }
        return _ok(message)

    def _editMessageText(self, args: dict[str, Any]) -> Response:
        problem = _text_problem(args)
        if problem:
            return problem
        self.edits.append(args)
        chat_id = str(args.get("chat_id"))
        return _ok(
            {
                "message_id": int(args["message_id"]),
                "date": int(time.time()),
                "chat": {"id": int(chat_id), "type": self.chats[chat_id].type},
                "text": args.get("text"),
            }
        )

    def _record(self, chat_id: str, args: dict[str, Any]) -> dict[str, Any]:
        message_id = next(self._ids)
        self.sent.append({**args, "chat_id": chat_id, "message_id": message_id})
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": int(chat_id), "type": self.chats[chat_id].type},
            "text": args.get("text"),
        }

    def _chat_problem(self, chat_id: str) -> Response | None:
        chat = self.chats.get(chat_id)
        if chat is None:
            return _fail(400, "Bad Request: chat not found")
        if chat.blocked:
            return _fail(403, "Forbidden: bot was blocked by the user")
        if chat.forbidden:
            return _fail(403, f"Forbidden: {chat.forbidden}")
        if chat.migrated_to is not None:
            return _fail(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return None

    def _too_fast(self, chat_id: str) -> Response | None:
        """Telegram's 429 if this send would break a limit; else the send is counted."""
        now = time.monotonic()
        checks = [(self.per_bot, "bot"), (self.per_chat, chat_id)]
        if self.chats[chat_id].type != "private":
            checks.append((self.per_group, chat_id))
        wait = admit(checks, now)
        self.log.note(now, limited=wait > 0)
        if wait <= 0:
            return None
        self.rate_limited += 1
        seconds = max(1, math.ceil(wait))
        return _fail(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


def _text_problem(args: dict[str, Any]) -> Response | None:
    text = args.get("text")
    if not isinstance(text, str) or not text.strip():
        return _fail(400, "Bad Request: message text is empty")
    if len(text) > 4096:
        return _fail(400, "Bad Request: message is too long")
    if args.get("parse_mode") == "HTML":
        try:
            parse_html(text)
        except MarkupError as error:
            return _fail(400, f"Bad Request: can't parse entities: {error}")
    return None


async def _args(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        data = json.loads(raw or b"{}")
        return data if isinstance(data, dict) else {}
    args: dict[str, Any] = {}
    for key, values in parse_qs(raw.decode()).items():
        value = values[0]
        try:
            args[key] = (
                json.loads(value)
                if key not in ("text", "question", "chat_id", "callback_query_id")
                else value
            )
        except ValueError:
            args[key] = value
    return args


def _ok(result: Any) -> Response:
    return Response(json.dumps({"ok": True, "result": result}), media_type="application/json")


def _fail(status: int, description: str, parameters: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Response(json.dumps(body), status_code=status, media_type="application/json")


# ---- HTML, as Telegram parses it ----------------------------------------------------------

_MARKS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "strike": "strike",
    "del": "strike",
    "code": "code",
    "pre": "code",
    "tg-spoiler": "spoiler",
    "blockquote": "quote",
    "a": "link",
}
_TOKEN = re.compile(
    r"<(?P<closing>/?)(?P<tag>[a-zA-Z-]+)(?P<attributes>(?:\s+[a-zA-Z-]+=\"[^\"<]*\")*)\s*>"
    r"|&(?P<entity>lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);"
    r"|(?P<raw>[<>&])"
)
_HREF = re.compile(r'\s+href="([^"]*)"')
_USER_LINK = re.compile(r"tg://user\?id=(\d+)")


def parse_html(text: str) -> list[Span]:
    """What an HTML message shows, as spans (see tests/fakes/markup.py), or MarkupError where
    Telegram answers "can't parse entities". Documented rules: only the supported tags; `<`,
    `>` and `&` outside tags and entities must be escaped; the named entities are `&lt;`,
    `&gt;`, `&amp;`, `&quot;` only; code and pre hold no other entity, nor a link a link;
    `<a href="tg://user?id=N">` mentions a user."""
    spans: list[Span] = []
    open_tags: list[tuple[str, str]] = []
    position = 0
    for token in _TOKEN.finditer(text):
        _text(spans, text[position : token.start()], open_tags)
        position = token.end()
        if token.group("raw"):
            raise MarkupError(f"unescaped {token.group('raw')!r} at byte offset {token.start()}")
        if token.group("entity"):
            _text(spans, html.unescape(token.group()), open_tags)
        else:
            _tag(token, open_tags)
    _text(spans, text[position:], open_tags)
    if open_tags:
        raise MarkupError(f"can't find end tag corresponding to start tag {open_tags[-1][0]}")
    return spans


def _text(spans: list[Span], text: str, open_tags: list[tuple[str, str]]) -> None:
    if text:
        spans.append((text, frozenset(mark for _, mark in open_tags)))


def _tag(token: re.Match[str], open_tags: list[tuple[str, str]]) -> None:
    tag = token.group("tag").lower()
    if tag not in _MARKS:
        raise MarkupError(f"unsupported start tag {tag!r}")
    if token.group("closing"):
        if not open_tags or open_tags[-1][0] != tag:
            raise MarkupError(f"unmatched end tag {tag!r}")
        open_tags.pop()
        return
    if any(_MARKS[name] == "code" for name, _ in open_tags) or (
        tag == "a" and any(name == "a" for name, _ in open_tags)
    ):
        raise MarkupError(f"entity {tag!r} can't be nested there")
    open_tags.append((tag, _mark(tag, token.group("attributes"))))


def _mark(tag: str, attributes: str) -> str:
    if tag != "a":
        return _MARKS[tag]
    href = _HREF.search(attributes)
    if href is None:
        raise MarkupError("a link without href")
    target = html.unescape(href.group(1))
    user = _USER_LINK.fullmatch(target)
    return f"mention:{user.group(1)}" if user else f"link:{target}"
