"""`platforms.discord`: one bot application and the guild channels it serves."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr

from hub.core.config.models import PlatformSection, Secret, SecretRule, SpaceName

PLATFORM = "discord"
"""The platform's name: its section under `platforms:`, and the `platform` of its events."""

PublicKey = Annotated[
    SecretStr,
    AfterValidator(
        SecretRule(
            pattern=r"[0-9a-fA-F]{64}",
            rule="must be 64 hexadecimal characters",
            hint="copy the application's Public Key from the Developer Portal, General Information",
        )
    ),
]


class DiscordSettings(PlatformSection):
    """Spaces map a space name to a channel id (a snowflake, e.g. "123456789012345678").

    `public_key` (the application's Ed25519 key, hex) is needed only for the interactions
    endpoint; `api_base_url` points REST at another server, and the gateway address is then
    asked of it (`GET /gateway/bot`), as discord.py does.
    """

    token: Secret = Field(json_schema_extra={"env": "DISCORD_BOT_TOKEN"})
    public_key: PublicKey | None = Field(
        default=None, json_schema_extra={"env": "DISCORD_PUBLIC_KEY"}
    )
    spaces: dict[SpaceName, Annotated[str, Field(pattern=r"^\d{1,20}$")]] = Field(
        default_factory=dict
    )
