"""Sends to Slack with slack-sdk's AsyncWebClient: chat.postMessage, DMs via conversations.open."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp import ClientError, ClientSession
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from hub.adapters.slack import render
from hub.adapters.slack.settings import PLATFORM, SlackSettings
from hub.adapters.transport import (
    PerLoop,
    Timeouts,
    aiohttp_never_written,
    close_session,
    new_session,
)
from hub.core.model.deliveries import Destination, SentRef
from hub.core.model.messages import Outbound
from hub.core.ports import (
    AdapterResources,
    Capabilities,
    ConfigurationSendError,
    PermanentSendError,
    RecipientUnreachableError,
    SendError,
    TransientSendError,
    UncertainSendError,
)

DEFAULT_API = "https://slack.com"
UNREACHABLE = {"user_not_found", "user_disabled", "user_not_visible", "cannot_dm_bot"}
"""Slack's answers about the member's own account, when writing to them privately."""
DM_CLOSED = {"is_archived", "channel_not_found"}
"""A member's DM is archived (their account was deactivated) or gone."""
CONFIGURATION = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "no_permission",
    "missing_scope",
    "not_allowed_token_type",
    "access_denied",
    "team_access_not_granted",
    "ekm_access_denied",
    "org_login_required",
    "not_in_channel",
    "channel_not_found",
    "is_archived",
    "restricted_action",
    "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel",
    "restricted_action_non_threadable_channel",
}
"""The hub's own setup: its token, its scopes, the channels it was given and its place in them."""
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
    "missing_scope": "add the scope to the app (chat:write, im:write) and reinstall it",
}


class SlackSender:
    """The Slack adapter's Renderer and Sender."""

    platform = PLATFORM
    capabilities: Capabilities = render.CAPABILITIES

    def __init__(self, settings: SlackSettings, resources: AdapterResources) -> None:
        self.settings = settings
        self.account = _digest(settings.bot_token.get_secret_value())
        self.timeouts = Timeouts()
        self._clients: PerLoop[AsyncWebClient] = PerLoop(self._new_client, _close_client)

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        """chat.postMessage arguments; replies stay in the thread of the message answered."""
        thread = outbound.reply_to if self.settings.thread_replies else None
        return render.payloads(outbound, thread_ts=thread)

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        """Post the message (opening the DM first for a private one)."""
        client = await self._clients.get()
        try:
            channel = await self._channel(client, destination)
        except SlackApiError as error:
            raise _translate_error(error, destination) from None
        except (ClientError, TimeoutError) as error:  # opening a DM twice is harmless
            raise TransientSendError(f"slack: {type(error).__name__}") from None
        try:
            if "edit" in payload:
                return await self._update(client, channel, payload)
            response = await client.chat_postMessage(channel=channel, **payload)
        except SlackApiError as error:
            raise _translate_error(error, destination) from None
        except (ClientError, TimeoutError) as error:
            raise _transport_failure(error) from None
        return SentRef(message_id=str(response["ts"]))

    async def close(self) -> None:
        """Close this event loop's HTTP session (shutdown, tests)."""
        await self._clients.close()

    async def _new_client(self) -> AsyncWebClient:
        """A client on one kept session: slack-sdk opens a session per call without one."""
        return web_client(self.settings, self.timeouts, await new_session(self.timeouts))

    async def _update(
        self, client: AsyncWebClient, channel: str, payload: Mapping[str, Any]
    ) -> SentRef:
        """Edit a message in place (a poll's tally): chat.update keeps its ts."""
        fields = {k: v for k, v in payload.items() if k in ("text", "blocks")}
        response = await client.chat_update(channel=channel, ts=str(payload["edit"]), **fields)
        return SentRef(message_id=str(response["ts"]))

    async def _channel(self, client: AsyncWebClient, destination: Destination) -> str:
        if not destination.private:
            return destination.address
        opened = await client.conversations_open(users=destination.address)
        return str(opened["channel"]["id"])


def web_client(
    settings: SlackSettings, timeouts: Timeouts | None = None, session: ClientSession | None = None
) -> AsyncWebClient:
    """slack-sdk's client for `settings`. Its connection-error retry is kept only for failures
    before the request left: the default one also retries a read timeout or a disconnect, which
    could post a message twice. Without `session`, slack-sdk opens one per call."""
    return AsyncWebClient(
        token=settings.bot_token.get_secret_value(),
        base_url=(settings.api_base_url or DEFAULT_API).rstrip("/") + "/api/",
        timeout=int((timeouts or Timeouts()).total),
        session=session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(error_types=[aiohttp.ClientConnectorError])
        ],
    )


async def _close_client(client: AsyncWebClient) -> None:
    if isinstance(client.session, ClientSession):
        await close_session(client.session)


def _transport_failure(error: BaseException) -> SendError:
    """Slack has no idempotency key: a post that may have reached it is not sent again."""
    if aiohttp_never_written(error):
        return TransientSendError(f"slack: {type(error).__name__}")
    return UncertainSendError(f"slack: {type(error).__name__} after the request was sent")


def _translate_error(error: SlackApiError, destination: Destination) -> SendError:
    response = error.response
    code = str(response.get("error", "unknown_error")) if response is not None else "unknown_error"
    if response is not None and response.status_code == 429:
        retry_after = float(response.headers.get("Retry-After", 1) or 1)
        return TransientSendError("slack: ratelimited", retry_after=retry_after)
    if code in TRANSIENT or (response is not None and response.status_code >= 500):
        return TransientSendError(f"slack: {code}")
    hint = HINTS.get(code)
    reason = f"slack: {code}" + (f" ({hint})" if hint else "")
    if code in UNREACHABLE or (destination.private and code in DM_CLOSED):
        return RecipientUnreachableError(f"slack: {code}")
    if code in CONFIGURATION:
        return ConfigurationSendError(reason)
    return PermanentSendError(reason)


def _digest(token: str) -> str:
    """A short digest naming the workspace's bot token in Redis keys, so the token stays unlogged."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]
