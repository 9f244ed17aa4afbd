"""What every platform's listener does the same way: declare itself, and read a request body
it has authenticated."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, ParamSpec, TypeVar

from hub.core.model.cleaning import InboundRejected

MAX_BODY = 1_000_000
"""Bytes; platform payloads are far smaller. The web app refuses larger bodies as they stream
in (413, `hub.web.limits`), before any route reads them."""


class Listening:
    """A listener's declaration of the `Listener` port, for one that only serves routes:
    no connection to hold, no body larger than the web app's default. Listeners that hold
    connections (a long poll, a gateway) or take larger bodies override what differs."""

    body_limits: ClassVar[Mapping[str, int]] = {}

    @property
    def holds_connections(self) -> bool:
        """Nothing to hold."""
        return False

    async def background(self, stop: asyncio.Event) -> None:
        """Nothing to hold: returns at once."""


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


class MalformedPayload(InboundRejected):
    """An authenticated payload that does not have the platform's shape (a 400)."""


_P = ParamSpec("_P")
_R = TypeVar("_R")


def tolerant(translate: Callable[_P, _R]) -> Callable[_P, _R]:
    """Mark a function that reads an untrusted payload: a wrong type or a missing key anywhere
    inside it means the payload is malformed (MalformedPayload: a 400), not that the hub broke.
    """

    @functools.wraps(translate)
    def reading(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return translate(*args, **kwargs)
        except (TypeError, KeyError, AttributeError, IndexError, ValueError) as error:
            raise MalformedPayload(f"{translate.__name__}: {type(error).__name__}") from error

    return reading
