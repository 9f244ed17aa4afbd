"""Request bodies are bounded while they stream in, before any route buffers or parses them.

A declared `Content-Length` over the limit is refused at once; a body that grows past it (a
chunked upload, or a length that lied) is cut off at the first byte over. Either way the answer
is 413 and the route never sees the body. Limits are by path prefix, the longest prefix wins.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.adapters.wire import MAX_BODY

DEFAULT_LIMIT = MAX_BODY


class BodyTooLarge(Exception):
    """The request body went over the route's limit while being read."""


class BodyLimit:
    """ASGI middleware: 413 for a request body over its path's limit, checked as it arrives."""

    def __init__(
        self, app: ASGIApp, limits: Mapping[str, int] | None = None, default: int = DEFAULT_LIMIT
    ) -> None:
        self.app = app
        self.limits = sorted((limits or {}).items(), key=lambda item: -len(item[0]))
        self.default = default

    def limit_for(self, path: str) -> int:
        """The limit of the longest configured prefix of `path`."""
        return next(
            (limit for prefix, limit in self.limits if path.startswith(prefix)), self.default
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(limit)(scope, receive, send)
            return
        guard = _Guard(receive, send, limit)
        try:
            await self.app(scope, guard.receive, guard.send)
        except BodyTooLarge:
            if not guard.started:
                await _too_large(limit)(scope, receive, send)


class _Guard:
    """One request's channels: counts the body's bytes, notes whether a response started."""

    def __init__(self, receive: Receive, send: Send, limit: int) -> None:
        self._receive, self._send, self.limit = receive, send, limit
        self.seen, self.started = 0, False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                raise BodyTooLarge
        return message

    async def send(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)


def _content_length(scope: Scope) -> int | None:
    """The declared length; an unreadable one counts as too large (never a 5xx)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1")
            return int(text) if text.isascii() and text.isdigit() and len(text) < 16 else 1 << 62
    return None


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"error": f"request body over {limit} bytes"}, status_code=413)
