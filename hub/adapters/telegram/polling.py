"""Long polling (`getUpdates`): how `hub run` hears Telegram behind a laptop's NAT.

Used when `server.public_url` is not set, so Telegram cannot reach a webhook. The poller only
translates and enqueues, like the webhook. The offset moves past an update only once its events
are kept, so an update is fetched again while the hub cannot store it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog
from telegram import Bot
from telegram.error import TelegramError

from hub.adapters.telegram import translate
from hub.core.model.cleaning import InboundRejected
from hub.core.ports import Enqueue
from hub.core.usecases.inbox import InboxUnavailable

log = structlog.get_logger(__name__)

ALLOWED_UPDATES = ["message", "chat_member", "callback_query", "poll_answer", "message_reaction"]


@dataclass
class TelegramPoller:
    """One bot's getUpdates loop for one community."""

    bot: Bot
    community_id: str
    spaces: dict[str, str]  # chat id → space name
    bot_username: str | None
    enqueue: Enqueue
    offset: int | None = None

    async def poll_once(self, timeout: int = 25) -> int:
        """One long poll; returns how many updates arrived."""
        updates = await self.bot.get_updates(
            offset=self.offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
        )
        for update in updates:
            try:
                for event in translate.update_to_core(
                    update.to_dict(), self.community_id, self.spaces, self.bot_username
                ):
                    self.enqueue(event)
            except InboundRejected as error:
                log.warning(
                    "telegram.update_rejected", update_id=update.update_id, error=str(error)
                )
            self.offset = update.update_id + 1
            if update.callback_query is not None:
                await self._answer(update.callback_query.id)
        return len(updates)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; errors back off and never end the loop."""
        await self.bot.initialize()
        await self.bot.delete_webhook()
        log.info("telegram.polling", community=self.community_id)
        while not stop.is_set():
            try:
                await self.poll_once()
            except (TelegramError, InboxUnavailable) as error:
                log.warning("telegram.poll_failed", error=type(error).__name__)
                await asyncio.sleep(5)

    async def _answer(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as error:
            log.info("telegram.answer_callback_failed", error=type(error).__name__)
