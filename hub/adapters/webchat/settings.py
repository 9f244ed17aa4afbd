"""`platforms.webchat`: rooms served at /chat/{community}/{space}."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hub.core.config.models import HubSecret, PlatformSection


class WebchatSettings(PlatformSection):
    """Spaces map a space name to a room id; `secret` signs member tokens (random if unset)."""

    secret: HubSecret | None = Field(default=None, json_schema_extra={"env": "WEBCHAT_SECRET"})
    history: Annotated[int, Field(ge=10, le=10_000)] = 500
