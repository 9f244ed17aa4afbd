"""Where webchat messages live: Redis stream names and entry encoding."""

from __future__ import annotations

import json
from typing import Any


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
