"""`POST /webhooks/telegram`: the secret token header is checked before anything is parsed.

The header (compared in constant time) also says which community's bot the update is for.
Missing, empty or wrong secret: 403 and nothing enqueued; a body that is not a JSON object: 400.
A community without a webhook secret is polled, and no webhook request is ever taken for it.
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Bot
from telegram.error import TelegramError

from hub.adapters.telegram import translate
from hub.adapters.telegram.polling import TelegramPoller
from hub.adapters.telegram.sender import make_bot
from hub.adapters.telegram.settings import TelegramSettings
from hub.adapters.wire import Listening, json_object
from hub.core.ports import Enqueue, ListenerSetup

log = structlog.get_logger(__name__)


@dataclass
class TelegramCommunity:
    """One community's bot: its webhook secret, its group chats, and a Bot to answer buttons."""

    community_id: str
    secret: bytes
    spaces: dict[str, str]  # chat id → space name
    bot_username: str | None
    bot: Bot | None = None
    bot_ready: bool = False


class TelegramListener(Listening):
    """Verifies, translates and enqueues Telegram updates (webhook), or polls for them."""

    def __init__(
        self,
        communities: list[TelegramCommunity],
        enqueue: Enqueue,
        pollers: list[TelegramPoller] | None = None,
    ) -> None:
        self.communities = communities
        self.enqueue = enqueue
        self.pollers = pollers or []
        self.unknown_chats_logged: set[str] = set()

    @classmethod
    def from_setup(cls, setup: ListenerSetup) -> TelegramListener:
        """Webhook for communities with a public URL and a secret; long polling for the others."""
        communities, pollers = [], []
        for runtime, section in setup.sections_of(TelegramSettings):
            spaces = {chat: name for name, chat in section.spaces.items()}
            community_id, username = runtime.community.id, section.bot_username
            if setup.resources.public_url is None or section.webhook_secret is None:
                pollers.append(
                    TelegramPoller(make_bot(section), community_id, spaces, username, setup.enqueue)
                )
                continue
            secret = section.webhook_secret.get_secret_value().encode()
            communities.append(
                TelegramCommunity(community_id, secret, spaces, username, make_bot(section))
            )
        return cls(communities, setup.enqueue, pollers)

    @property
    def holds_connections(self) -> bool:
        """Whether `hub gateway` has a connection to hold (a long poll) for this platform."""
        return bool(self.pollers)

    async def background(self, stop: asyncio.Event) -> None:
        """The long-polling loops, for processes that hold connections (`hub run`, `hub gateway`)."""
        await asyncio.gather(*(poller.run(stop) for poller in self.pollers))

    def routes(self) -> list[BaseRoute]:
        """The Telegram webhook."""
        return [Route("/webhooks/telegram", self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        """Authenticate by secret token, then parse, translate and enqueue."""
        community = self._community(request.headers.get("x-telegram-bot-api-secret-token", ""))
        if community is None:
            return JSONResponse({"error": "forbidden"}, status_code=403)
        update = json_object(await request.body())
        if update is None:
            return JSONResponse({"error": "expected a JSON object"}, status_code=400)
        events = translate.update_to_core(
            update, community.community_id, community.spaces, community.bot_username
        )
        for event in events:
            self.enqueue(event)
        if not events:
            self._note_unknown_chat(update)
        await self._answer_button(community, update)
        return Response(status_code=200)

    def _community(self, token: str) -> TelegramCommunity | None:
        """The community whose secret this is; never one for an empty header or secret, which
        would otherwise match each other (the config refuses empty secrets; this holds anyway)."""
        given = token.encode()
        found = None
        for community in self.communities:
            if hmac.compare_digest(given, community.secret) and community.secret:
                found = community
        return found

    def _note_unknown_chat(self, update: dict[str, Any]) -> None:
        """Log once per chat that sends updates but is not a configured space."""
        for kind in ("message", "chat_member", "message_reaction"):
            chat = update.get(kind, {}).get("chat") if isinstance(update.get(kind), dict) else None
            if isinstance(chat, dict) and chat.get("type") != "private":
                chat_id = str(chat.get("id"))
                if chat_id not in self.unknown_chats_logged:
                    self.unknown_chats_logged.add(chat_id)
                    log.info("telegram.unknown_chat", chat_id=chat_id, title=chat.get("title"))

    async def _answer_button(self, community: TelegramCommunity, update: dict[str, Any]) -> None:
        """Stop the client's spinner on a button press (best effort, never fails the request)."""
        query = update.get("callback_query")
        if (
            community.bot is None
            or not isinstance(query, dict)
            or not isinstance(query.get("id"), str)
        ):
            return
        try:
            async with asyncio.timeout(2):
                if not community.bot_ready:
                    await community.bot.initialize()
                    community.bot_ready = True
                await community.bot.answer_callback_query(query["id"])
        except (TelegramError, TimeoutError) as error:
            log.info("telegram.answer_callback_failed", error=type(error).__name__)
