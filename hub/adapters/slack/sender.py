"""Sends to Slack with slack-sdk's AsyncWebClient: chat.postMessage, DMs via conversations.open."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from hub.adapters.slack import translate
from hub.adapters.slack.settings import SlackSettings
from hub.core.delivery import Destination, SentRef
from hub.core.outbound import Outbound
from hub.core.ports import AdapterResources, Capabilities, PermanentSendError, TransientSendError

DEFAULT_API = "https://slack.com"
TRANSIENT = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "request_timeout",
    "service_unavailable",
}
HINTS = {
    "not_in_channel": "invite the bot to the channel (/invite @your-bot)",
    "channel_not_found": "check the channel id in platforms.slack.spaces and that the bot can see it",
    "is_archived": "the channel is archived; unarchive it or remove it from the spaces",
    "invalid_auth": "check SLACK_BOT_TOKEN",
    "token_revoked": "the app was uninstalled or its token revoked; reinstall it",
    "account_inactive": "the bot's workspace account is deactivated",
}


class SlackSender:
    """The Slack adapter's Renderer and Sender."""

    platform = translate.PLATFORM
    capabilities: Capabilities = translate.CAPABILITIES

    def __init__(self, settings: SlackSettings, resources: AdapterResources) -> None:
        self.settings = settings
        self.account = _digest(settings.bot_token.get_secret_value())
        base = (settings.api_base_url or DEFAULT_API).rstrip("/") + "/api/"
        self.client = AsyncWebClient(
            token=settings.bot_token.get_secret_value(), base_url=base, timeout=15
        )

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        """chat.postMessage arguments; replies stay in the thread of the message answered."""
        thread = outbound.reply_to if self.settings.thread_replies else None
        return translate.render(outbound, destination, thread_ts=thread)

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        """Post the message (opening the DM first for a private one)."""
        try:
            channel = await self._channel(destination)
            if "edit" in payload:
                return await self._update(channel, payload)
            response = await self.client.chat_postMessage(channel=channel, **payload)
        except SlackApiError as error:
            raise _translate_error(error) from None
        except (ClientError, TimeoutError) as error:
            raise TransientSendError(f"slack: {type(error).__name__}") from None
        return SentRef(message_id=str(response["ts"]))

    async def _update(self, channel: str, payload: Mapping[str, Any]) -> SentRef:
        """Edit a message in place (a poll's tally): chat.update keeps its ts."""
        fields = {k: v for k, v in payload.items() if k in ("text", "blocks")}
        response = await self.client.chat_update(channel=channel, ts=str(payload["edit"]), **fields)
        return SentRef(message_id=str(response["ts"]))

    async def _channel(self, destination: Destination) -> str:
        if not destination.private:
            return destination.address
        opened = await self.client.conversations_open(users=destination.address)
        return str(opened["channel"]["id"])


def _translate_error(error: SlackApiError) -> TransientSendError | PermanentSendError:
    response = error.response
    code = str(response.get("error", "unknown_error")) if response is not None else "unknown_error"
    if response is not None and response.status_code == 429:
        retry_after = float(response.headers.get("Retry-After", 1) or 1)
        return TransientSendError("slack: ratelimited", retry_after=retry_after)
    if code in TRANSIENT or (response is not None and response.status_code >= 500):
        return TransientSendError(f"slack: {code}")
    hint = HINTS.get(code)
    return PermanentSendError(f"slack: {code}" + (f" ({hint})" if hint else ""))


def _digest(token: str) -> str:
    """A short digest naming the workspace's bot token in Redis keys, so the token stays unlogged."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]
