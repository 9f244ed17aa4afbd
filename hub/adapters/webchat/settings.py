"""`platforms.webchat`: rooms served at /chat/{community}/{space}."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field

from hub.core.config.models import Duration, HubSecret, PlatformSection

PLATFORM = "webchat"
"""The platform's name: its section under `platforms:`, and the `platform` of its events."""


class WebchatSettings(PlatformSection):
    """Spaces map a space name to a room id.

    `secret` keys the hash under which members' session tokens are kept; when the file does
    not set it, `$WEBCHAT_SECRET` does, and `hub run` on embedded defaults keeps a generated
    one in var/webchat.secret. `joins_per_window` joins per `join_window` per client address
    (per community) keep anyone from minting members or squatting names in bulk.
    """

    secret: HubSecret | None = Field(default=None, json_schema_extra={"env": "WEBCHAT_SECRET"})
    history: Annotated[int, Field(ge=10, le=10_000)] = 500
    joins_per_window: Annotated[int, Field(ge=1, le=10_000)] = 10
    join_window: Annotated[Duration, Field(ge=timedelta(seconds=1))] = timedelta(minutes=10)
