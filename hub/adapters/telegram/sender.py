"""Sends to Telegram with python-telegram-bot's Bot (HTML messages, native polls, edits)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
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
from telegram.request import HTTPXRequest

from hub.adapters.telegram import render
from hub.adapters.telegram.settings import PLATFORM, TelegramSettings
from hub.adapters.transport import PerLoop, Timeouts
from hub.core.model.deliveries import Destination, SentRef
from hub.core.model.messages import Outbound
from hub.core.ports import (
    AdapterResources,
    AddressMovedError,
    Capabilities,
    ConfigurationSendError,
    PermanentSendError,
    RecipientUnreachableError,
    SendError,
    TransientSendError,
    UncertainSendError,
)

DEFAULT_API = "https://api.telegram.org"
POOL_SIZE = 64
"""Connections kept per bot and event loop (Telegram takes ~30 messages/s per bot)."""
NEVER_WRITTEN = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""httpx failures before any byte of the request left: safe to try again."""
UNREACHABLE = (
    "blocked by the user",
    "user is deactivated",
    "can't initiate conversation",
    "bots can't send messages to bots",
)
"""What Telegram answers about the member's own account (403 Forbidden)."""
MEMBER_GONE = ("chat not found", "user not found", "peer_id_invalid")
"""400s that, for a private chat, mean the member never opened it or deleted their account."""
NO_RIGHTS = ("not enough rights", "have no rights", "chat_write_forbidden", "need administrator")
"""400s saying the bot may not write in a group or channel: the owner must grant it."""


class TelegramSender:
    """The Telegram adapter's Renderer and Sender."""

    platform = PLATFORM
    capabilities: Capabilities = render.CAPABILITIES

    def __init__(self, settings: TelegramSettings, resources: AdapterResources) -> None:
        self.settings = settings
        self.account = settings.token.get_secret_value().split(":", 1)[0]  # the bot's id
        link = (
            f"https://t.me/{settings.bot_username}?start=hello" if settings.bot_username else None
        )
        self.capabilities = replace(render.CAPABILITIES, private_chat_link=link)
        self.timeouts = Timeouts()
        self._bots: PerLoop[Bot] = PerLoop(self._start_bot, _stop_bot)

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        """Bot API arguments (sendMessage parts, then sendPoll)."""
        return render.payloads(outbound)

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        """Call the Bot API; Telegram's errors become the core's send errors (see decision 019)."""
        token = self.settings.token.get_secret_value()
        try:
            bot = await self._bots.get()
        except TelegramError as error:  # getMe: nothing was sent yet
            mapped = _translate_error(error, token, destination)
            if isinstance(mapped, UncertainSendError):
                mapped = TransientSendError(mapped.reason)
            raise mapped from None
        try:
            async with asyncio.timeout(self.timeouts.total):  # httpx's timeouts are per phase
                message_id = await self._call(bot, destination.address, payload)
        except TelegramError as error:
            raise _translate_error(error, token, destination) from None
        except TimeoutError:
            raise UncertainSendError(
                f"telegram: no answer within {self.timeouts.total:.0f} s"
            ) from None
        return SentRef(message_id=str(message_id))

    async def close(self) -> None:
        """Close this event loop's connection pool (shutdown, tests)."""
        await self._bots.close()

    async def _start_bot(self) -> Bot:
        bot = make_bot(self.settings, self.timeouts)
        await bot.initialize()
        return bot

    async def _call(self, bot: Bot, chat_id: str, payload: Mapping[str, Any]) -> int:
        markup = _keyboard(payload.get("reply_markup"))
        if payload.get("method") == "sendPoll":
            poll = await bot.send_poll(
                chat_id, payload["question"], payload["options"], is_anonymous=False
            )
            return poll.message_id
        if "edit" in payload:
            edited = await bot.edit_message_text(
                payload["text"],
                chat_id=chat_id,
                message_id=int(payload["edit"]),
                parse_mode="HTML",
                reply_markup=markup,
            )
            return int(payload["edit"]) if isinstance(edited, bool) else edited.message_id
        sent = await bot.send_message(
            chat_id,
            payload["text"],
            parse_mode="HTML",
            reply_markup=markup,
            reply_to_message_id=payload.get("reply_to_message_id"),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return sent.message_id


def make_bot(settings: TelegramSettings, timeouts: Timeouts | None = None) -> Bot:
    """A Bot pointed at `api_base_url` (a self-hosted Bot API server, or a local fake), with
    explicit timeouts (connect apart, so a connect failure is known not to have been sent)."""
    base = (settings.api_base_url or DEFAULT_API).rstrip("/")
    timeouts = timeouts or Timeouts()
    request = HTTPXRequest(
        connection_pool_size=POOL_SIZE,
        connect_timeout=timeouts.connect,
        read_timeout=timeouts.read,
        write_timeout=timeouts.read,
        pool_timeout=timeouts.connect,
    )
    return Bot(
        settings.token.get_secret_value(),
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=request,
    )


async def _stop_bot(bot: Bot) -> None:
    await bot.shutdown()


def _keyboard(markup: Any) -> InlineKeyboardMarkup | None:
    if not isinstance(markup, dict):
        return None
    rows = [
        [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
        for row in markup["inline_keyboard"]
    ]
    return InlineKeyboardMarkup(rows)


def _translate_error(error: TelegramError, token: str, destination: Destination) -> SendError:
    """Telegram's error, without the token (PTB puts it in InvalidToken's message)."""
    if isinstance(error, InvalidToken):
        return ConfigurationSendError(
            "telegram: the bot token was rejected (check TELEGRAM_BOT_TOKEN)"
        )
    mapped = _map_error(error, destination)
    mapped.reason = mapped.reason.replace(token, "[redacted]")
    mapped.args = (mapped.reason,)
    return mapped


def _map_error(error: TelegramError, destination: Destination) -> SendError:
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return TransientSendError("telegram: too many requests", retry_after=seconds)
    if isinstance(error, ChatMigrated):
        new = str(error.new_chat_id)
        return AddressMovedError(f"telegram: group migrated to supergroup {new}", new_address=new)
    if isinstance(error, Forbidden | BadRequest):
        return _refusal(error, destination)
    if isinstance(error, NetworkError):  # TimedOut too: PTB keeps httpx's error as the cause
        return _network_failure(error)
    return TransientSendError(f"telegram: {type(error).__name__}")


def _refusal(error: Forbidden | BadRequest, destination: Destination) -> PermanentSendError:
    """Whose problem a refusal is: the member's account, the hub's setup, or this message."""
    reason = f"telegram: {error.message}"
    text = error.message.lower()
    member_gone = destination.private and (
        isinstance(error, Forbidden) or any(t in text for t in MEMBER_GONE)
    )
    if member_gone or any(t in text for t in UNREACHABLE):
        return RecipientUnreachableError(reason)
    if isinstance(error, Forbidden) or any(t in text for t in (*NO_RIGHTS, *MEMBER_GONE)):
        # kicked from the group, not a member of the channel, no right to post, wrong chat id
        return ConfigurationSendError(reason + " (check the bot's membership and rights there)")
    return PermanentSendError(reason)


def _network_failure(error: NetworkError) -> SendError:
    """Never sent (no connection) is retried; a timeout or a drop after sending is uncertain:
    Telegram has no idempotency key, so sending again could post the message twice."""
    cause = error.__cause__
    name = type(cause).__name__ if cause is not None else type(error).__name__
    if cause is None or isinstance(cause, NEVER_WRITTEN):
        return TransientSendError(f"telegram: {name}")
    return UncertainSendError(f"telegram: {name} after the request was sent")
