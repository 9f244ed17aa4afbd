"""Where webchat messages live: Redis stream names and entry encoding."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis


def room_stream(community_id: str, room: str) -> str:
    """The stream of a room's public messages."""
    return f"hub:webchat:{community_id}:room:{room}"


def private_stream(community_id: str, user_id: str) -> str:
    """The stream of the hub's private messages to one member."""
    return f"hub:webchat:{community_id}:dm:{user_id}"


def encode(entry: dict[str, Any]) -> dict[Any, Any]:
    """A stream entry holds one JSON field, so its shape can grow."""
    return {"json": json.dumps(entry, ensure_ascii=False)}


def decode(fields: dict[bytes, bytes]) -> dict[str, Any]:
    """The entry written by `encode`."""
    data: dict[str, Any] = json.loads(fields[b"json"])
    return data


async def relay(
    redis: aioredis.Redis, keys: list[str], gone: Callable[[], Awaitable[bool]]
) -> AsyncIterator[str]:
    """Server-sent events: every entry of `keys` from the start, then each new one as it comes."""
    cursors: dict[Any, Any] = {key: "0-0" for key in keys}
    yield ": connected\n\n"
    while not await gone():
        batches = await redis.xread(cursors, block=5000, count=100)
        if not batches:
            yield ": keep-alive\n\n"
            continue
        for key, entries in batches:
            for entry_id, fields in entries:
                cursors[key.decode()] = entry_id.decode()
                message = {"id": entry_id.decode(), **decode(fields)}
                yield f"id: {entry_id.decode()}\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"
        await asyncio.sleep(0)
