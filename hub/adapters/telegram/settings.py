"""`platforms.telegram`: one bot, its webhook secret, and the group chats it serves."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr

from hub.core.config.models import GENERATE_SECRET, PlatformSection, SecretRule

PLATFORM = "telegram"
"""The platform's name: its section under `platforms:`, and the `platform` of its events."""

BotToken = Annotated[
    SecretStr,
    AfterValidator(
        SecretRule(
            pattern=r"\d+:[A-Za-z0-9_-]+",
            rule="is not a bot token (digits, a colon, then letters, digits, _ or -)",
            hint="copy the token @BotFather gave, like 123456789:AAH…",
        )
    ),
]
WebhookSecret = Annotated[
    SecretStr,
    AfterValidator(
        SecretRule(
            pattern=r"[A-Za-z0-9_-]{16,256}",
            rule="must be 16 to 256 characters of A-Z a-z 0-9 _ - (Telegram allows only these;"
            " the hub asks for at least 16)",
            hint=f"generate one with {GENERATE_SECRET}",
        )
    ),
]


class TelegramSettings(PlatformSection):
    """Spaces map a space name to a chat id (groups and supergroups are negative numbers).

    Without `webhook_secret` (or without `server.public_url`) the hub polls, and refuses every
    webhook request.
    """

    token: BotToken = Field(json_schema_extra={"env": "TELEGRAM_BOT_TOKEN"})
    webhook_secret: WebhookSecret | None = Field(
        default=None, json_schema_extra={"env": "TELEGRAM_WEBHOOK_SECRET"}
    )
    bot_username: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{5,32}$")] | None = None
