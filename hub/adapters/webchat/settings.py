"""`platforms.webchat`: rooms served at /chat/{community}/{space}."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator

from hub.core.config.models import PlatformSection


class WebchatSettings(PlatformSection):
    """Spaces map a space name to a room id; `secret` signs member tokens (random if unset)."""

    secret: SecretStr | None = Field(default=None, json_schema_extra={"env": "WEBCHAT_SECRET"})
    history: Annotated[int, Field(ge=10, le=10_000)] = 500

    @field_validator("secret", mode="before")
    @classmethod
    def _empty_means_unset(cls, value: Any) -> Any:
        return None if value == "" else value
