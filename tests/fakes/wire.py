"""What the network does around a platform fake: which TCP connections requests came on, and
answers that never come back (the platform did the work, the reply was lost in transit).

Wraps any fake's ASGI app: `BackgroundServer(Wire(fake.app()))`. `connections` is the set of
client (host, port) pairs requests arrived from, one per TCP connection. `stall(path)` makes
the next requests whose path contains `path` run in the fake as usual (so the message is
recorded, as the platform would) and then hold their answer until `release()` or the end of
the `with` block, so the client's read timeout fires after its request was written.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]


@dataclass
class Wire:
    """An ASGI wrapper recording connections and holding answers on demand."""

    app: Any
    connections: set[tuple[str, int]] = field(default_factory=set)
    stalled: int = 0
    """Requests whose answer was held so far."""
    _stall: dict[str, int] = field(default_factory=dict)
    _released: threading.Event = field(default_factory=threading.Event)

    def stall(self, path: str, times: int = 1) -> None:
        """Hold the answer of the next `times` requests whose path contains `path`."""
        self._stall[path] = times
        self._released.clear()

    def release(self) -> None:
        """Let every held answer go (the client has long given up)."""
        self._released.set()

    def __enter__(self) -> Wire:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        if client:
            self.connections.add((str(client[0]), int(client[1])))
        if not self._take_stall(scope["path"]):
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def keep(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, keep)  # the platform does the work...
        self.stalled += 1
        await asyncio.to_thread(self._released.wait, 60)  # ...and the answer is lost
        for message in held:
            await send(message)

    def _take_stall(self, path: str) -> bool:
        for part, left in self._stall.items():
            if part in path and left > 0:
                self._stall[part] = left - 1
                return True
        return False
