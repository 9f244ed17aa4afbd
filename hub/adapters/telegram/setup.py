"""`hub telegram set-webhook`: tell Telegram where to post updates, and with which secret."""

from __future__ import annotations

from hub.adapters.telegram.polling import ALLOWED_UPDATES
from hub.adapters.telegram.sender import make_bot
from hub.adapters.telegram.settings import TelegramSettings

WEBHOOK_PATH = "/webhooks/telegram"


async def register_webhook(settings: TelegramSettings, public_url: str) -> str:
    """Register `public_url` + /webhooks/telegram with the secret token; returns the URL."""
    if settings.webhook_secret is None:
        raise ValueError(
            "platforms.telegram.webhook_secret is not set (write ${TELEGRAM_WEBHOOK_SECRET})"
        )
    url = public_url.rstrip("/") + WEBHOOK_PATH
    bot = make_bot(settings)
    async with bot:
        await bot.set_webhook(
            url=url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
        )
    return url
