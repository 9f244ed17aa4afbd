"""Sends to Telegram with python-telegram-bot's Bot (HTML messages, native polls, edits)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from hub.adapters.telegram import translate
from hub.adapters.telegram.settings import TelegramSettings
from hub.core.delivery import Destination, SentRef
from hub.core.outbound import Outbound
from hub.core.ports import (
    AdapterResources,
    AddressMovedError,
    Capabilities,
    PermanentSendError,
    SendError,
    TransientSendError,
)

DEFAULT_API = "https://api.telegram.org"


class TelegramSender:
    """The Telegram adapter's Renderer and Sender."""

    platform = translate.PLATFORM
    capabilities: Capabilities = translate.CAPABILITIES

    def __init__(self, settings: TelegramSettings, resources: AdapterResources) -> None:
        self.settings = settings
        self.account = settings.token.get_secret_value().split(":", 1)[0]  # the bot's id
        link = (
            f"https://t.me/{settings.bot_username}?start=hello" if settings.bot_username else None
        )
        self.capabilities = replace(translate.CAPABILITIES, private_chat_link=link)
        self.bot = make_bot(settings)
        self._ready = False

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        """Bot API arguments (sendMessage parts, then sendPoll)."""
        return translate.render(outbound)

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        """Call the Bot API; Telegram's errors become transient or permanent send errors."""
        try:
            if not self._ready:
                await self.bot.initialize()
                self._ready = True
            message_id = await self._call(destination.address, payload)
        except TelegramError as error:
            raise _translate_error(error, self.settings.token.get_secret_value()) from None
        return SentRef(message_id=str(message_id))

    async def _call(self, chat_id: str, payload: Mapping[str, Any]) -> int:
        markup = _keyboard(payload.get("reply_markup"))
        if payload.get("method") == "sendPoll":
            poll = await self.bot.send_poll(
                chat_id, payload["question"], payload["options"], is_anonymous=False
            )
            return poll.message_id
        if "edit" in payload:
            edited = await self.bot.edit_message_text(
                payload["text"],
                chat_id=chat_id,
                message_id=int(payload["edit"]),
                parse_mode="HTML",
                reply_markup=markup,
            )
            return int(payload["edit"]) if isinstance(edited, bool) else edited.message_id
        sent = await self.bot.send_message(
            chat_id,
            payload["text"],
            parse_mode="HTML",
            reply_markup=markup,
            reply_to_message_id=payload.get("reply_to_message_id"),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return sent.message_id


def make_bot(settings: TelegramSettings) -> Bot:
    """A Bot pointed at `api_base_url` (a self-hosted Bot API server, or a local fake)."""
    base = (settings.api_base_url or DEFAULT_API).rstrip("/")
    return Bot(
        settings.token.get_secret_value(), base_url=f"{base}/bot", base_file_url=f"{base}/file/bot"
    )


def _keyboard(markup: Any) -> InlineKeyboardMarkup | None:
    if not isinstance(markup, dict):
        return None
    rows = [
        [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
        for row in markup["inline_keyboard"]
    ]
    return InlineKeyboardMarkup(rows)


def _translate_error(error: TelegramError, token: str) -> SendError:
    """Telegram's error, without the token (PTB puts it in InvalidToken's message)."""
    if isinstance(error, InvalidToken):
        return PermanentSendError("telegram: the bot token was rejected (check TELEGRAM_BOT_TOKEN)")
    mapped = _map_error(error)
    mapped.reason = mapped.reason.replace(token, "[redacted]")
    mapped.args = (mapped.reason,)
    return mapped


def _map_error(error: TelegramError) -> SendError:
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return TransientSendError("telegram: too many requests", retry_after=seconds)
    if isinstance(error, ChatMigrated):
        new = str(error.new_chat_id)
        return AddressMovedError(f"telegram: group migrated to supergroup {new}", new_address=new)
    if isinstance(error, Forbidden | BadRequest):
        return PermanentSendError(f"telegram: {error.message}")
    if isinstance(error, NetworkError):
        return TransientSendError(f"telegram: {error.message}")
    return TransientSendError(f"telegram: {type(error).__name__}")
