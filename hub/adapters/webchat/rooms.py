"""A configured webchat room and the small HTTP helpers every webchat route shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from hub.adapters.webchat.settings import WebchatSettings
from hub.adapters.webchat.texts import texts_for
from hub.adapters.wire import json_object

MAX_BODY = 16_384
"""Bytes a webchat request may carry; the web app refuses more as it streams in."""


@dataclass(frozen=True, slots=True)
class Room:
    """A configured webchat space of one community."""

    community_id: str
    community_name: str
    space: str
    address: str
    settings: WebchatSettings
    locale: str = "en"

    @property
    def texts(self) -> Mapping[str, str]:
        """What the page and the answers say, in the community's language."""
        return texts_for(self.locale)


def room_of(rooms: Mapping[tuple[str, str], Room], request: Request) -> Room | None:
    """The room a /chat/{community}/{space}/… request is for, if it is configured."""
    return rooms.get((request.path_params["community"], request.path_params["space"]))


async def json_body(request: Request) -> dict[str, Any] | None:
    """The request's JSON object, or None when the body is not one."""
    return json_object(await request.body())


def error(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """An error the page can show as it is: `{"error": message}`."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)
