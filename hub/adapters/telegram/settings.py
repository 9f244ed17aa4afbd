"""`platforms.telegram`: one bot, its webhook secret, and the group chats it serves."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr

from hub.core.config.models import PlatformSection


class TelegramSettings(PlatformSection):
    """Spaces map a space name to a chat id (groups and supergroups are negative numbers)."""

    token: SecretStr = Field(json_schema_extra={"env": "TELEGRAM_BOT_TOKEN"})
    webhook_secret: SecretStr | None = Field(
        default=None, json_schema_extra={"env": "TELEGRAM_WEBHOOK_SECRET"}
    )
    bot_username: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{5,32}$")] | None = None
