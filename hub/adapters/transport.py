"""HTTP plumbing every sender shares: timeouts, one client per event loop, and telling a request
that never left from one that may have reached the platform.

A worker runs every async actor on one event loop thread, so one client (one connection pool)
per sender per loop means connections are reused from send to send instead of opened for each.
Clients are made lazily on the loop that first needs them (tests run several loops) and never
used from another loop, whose sockets they do not own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import aiohttp

CONNECT_TIMEOUT = 5.0
"""Seconds to open a connection (or wait for one from the pool): nothing is written before."""
READ_TIMEOUT = 10.0
"""Seconds of silence while writing the request or waiting for the answer."""
TOTAL_TIMEOUT = 15.0
"""Seconds for a whole request, well under the core's SEND_TIMEOUT (20 s) and LEASE (30 s)."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeouts:
    """A sender's timeouts, in seconds (tests shorten them instead of waiting)."""

    connect: float = CONNECT_TIMEOUT
    read: float = READ_TIMEOUT
    total: float = TOTAL_TIMEOUT

    def aiohttp(self) -> aiohttp.ClientTimeout:
        """aiohttp's timeouts with the connect phase apart, so a connect timeout says "not
        sent"; `sock_read` also bounds a silent write (the answer never starts)."""
        return aiohttp.ClientTimeout(total=self.total, connect=self.connect, sock_read=self.read)


def aiohttp_never_written(error: BaseException) -> bool:
    """Whether an aiohttp failure happened before any byte of the request was sent: no
    connection could be made (refused, DNS, TLS, connect timeout). Anything later (a read
    timeout, a disconnect, a reset) may come after the platform received the request."""
    return isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)


class PerLoop(Generic[T]):
    """One client per running event loop, made on first use there and closed with `close`.

    `make` builds the client (on the running loop); `close_client` releases it. Concurrent first
    uses on one loop share one client. Clients of loops that have closed are forgotten.
    """

    def __init__(
        self, make: Callable[[], Awaitable[T]], close_client: Callable[[T], Awaitable[None]]
    ) -> None:
        self._make = make
        self._close_client = close_client
        self._clients: dict[asyncio.AbstractEventLoop, asyncio.Future[T]] = {}

    async def get(self) -> T:
        """The running loop's client, made now if it has none."""
        loop = asyncio.get_running_loop()
        self._forget_closed_loops()
        made = self._clients.get(loop)
        if made is None:
            made = self._clients[loop] = asyncio.ensure_future(self._make())
        try:
            return await asyncio.shield(made)
        except BaseException:
            if made.done() and (made.cancelled() or made.exception() is not None):
                self._clients.pop(loop, None)  # a failed start is tried again next time
            raise

    def discard(self) -> None:
        """Forget the running loop's client without closing it (it was never usable)."""
        self._clients.pop(asyncio.get_running_loop(), None)

    async def close(self) -> None:
        """Close the running loop's client (shutdown, tests); the next use makes a new one."""
        made = self._clients.pop(asyncio.get_running_loop(), None)
        self._forget_closed_loops()
        if made is not None and made.done() and not made.cancelled() and not made.exception():
            await self._close_client(made.result())

    def _forget_closed_loops(self) -> None:
        for loop in [loop for loop in self._clients if loop.is_closed()]:
            del self._clients[loop]


async def new_session(timeouts: Timeouts) -> aiohttp.ClientSession:
    """An aiohttp session with a sender's timeouts, made on the running loop."""
    return aiohttp.ClientSession(timeout=timeouts.aiohttp())


async def close_session(session: aiohttp.ClientSession) -> None:
    """Close a session made by `new_session`."""
    await session.close()
