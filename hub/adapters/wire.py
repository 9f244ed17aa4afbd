"""What every platform's webhook does the same way with a request body it has authenticated."""

from __future__ import annotations

import json
from typing import Any

MAX_BODY = 1_000_000
"""Bytes; platform payloads are far smaller, so anything larger is refused unread."""


def json_object(body: bytes, max_bytes: int = MAX_BODY) -> dict[str, Any] | None:
    """The body as a JSON object, or None if it is not one (or is over `max_bytes`)."""
    if len(body) > max_bytes:
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None
