"""What every platform's webhook does the same way with a request body it has authenticated."""

from __future__ import annotations

import json
from typing import Any

MAX_BODY = 1_000_000
"""Bytes; platform payloads are far smaller. The web app refuses larger bodies as they stream
in (413, `hub.web.limits`), before any route reads them."""


def json_object(body: bytes | str) -> dict[str, Any] | None:
    """The body as a JSON object, or None if it is not one.

    Never raises: not UTF-8, not JSON, nested too deep for the parser (RecursionError), or
    numbers too long to convert all mean "not a JSON object", which routes answer with a 400.
    """
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
