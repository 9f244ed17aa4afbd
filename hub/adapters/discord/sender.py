"""Sends to Discord over REST with discord.py's HTTPClient: no gateway connection needed.

Messages carry `allowed_mentions` naming only the members the hub mentions, a nonce Discord
enforces (a retried send returns the first message instead of posting twice), buttons as
components and polls as native polls. DMs open the member's DM channel first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import aiohttp
import discord
from discord.http import HTTPClient, handle_message_parameters

from hub.adapters.discord import render
from hub.adapters.discord.api import new_http_client, point_at
from hub.adapters.discord.buckets import SharedBuckets
from hub.adapters.discord.settings import PLATFORM, DiscordSettings
from hub.adapters.transport import PerLoop, Timeouts, aiohttp_never_written
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

POLL_DURATION = timedelta(hours=24)
UNREACHABLE = {50007, 10013}
"""Cannot send messages to this user (DMs closed, bot blocked, no shared server); unknown user."""
CONFIGURATION = {40001, 50001, 50013, 50014, 10003, 10004}
"""Token rejected (401), Missing Access, Missing Permissions, unknown channel or server."""
HINTS = {
    50007: "the member does not accept DMs from this server's members or blocked the bot",
    50001: "the bot cannot see this channel; give its role 'View Channel'",
    50013: "the bot lacks 'Send Messages' (or 'Embed Links') in this channel",
    10003: "check the channel id in platforms.discord.spaces",
    10008: "the message to edit was deleted",
}


class DiscordSender:
    """The Discord adapter's Renderer and Sender."""

    platform = PLATFORM
    capabilities: Capabilities = render.CAPABILITIES

    def __init__(self, settings: DiscordSettings, resources: AdapterResources) -> None:
        self.settings = settings
        self.account = _account(settings)
        self.buckets = SharedBuckets(resources.redis_url, account=_account(settings))
        self.timeouts = Timeouts()
        self._clients: PerLoop[HTTPClient] = PerLoop(self._login, _logout)
        self._dm_channels: dict[str, str] = {}
        point_at(settings.api_base_url)

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        """Message payloads (content, buttons, poll, mentions, nonce), one per message."""
        return render.payloads(outbound)

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        """POST (or PATCH, for an edit) the message; Discord's errors become send errors.

        The whole call has a deadline (discord.py's session has none of its own). A timeout
        is uncertain, and retried by the core all the same: the post carries a nonce Discord
        enforces, so a second one returns the first message; an edit or a DM open is harmless
        to repeat."""
        try:
            async with asyncio.timeout(self.timeouts.total):
                message = await self._send(destination, payload)
        except discord.LoginFailure:
            raise ConfigurationSendError(
                "discord: the bot token was rejected (check DISCORD_BOT_TOKEN)"
            ) from None
        except (discord.DiscordException, aiohttp.ClientError, TimeoutError) as error:
            raise _translate_error(error, destination) from None
        return SentRef(message_id=str(message["id"]))

    async def _send(self, destination: Destination, payload: Mapping[str, Any]) -> Any:
        http = await self._clients.get()
        channel = await self._channel(http, destination)
        await self._wait_for_bucket(channel)
        if "edit" in payload:
            params = _params(payload, with_nonce=False)
            return await http.edit_message(channel, str(payload["edit"]), params=params)
        return await http.send_message(channel, params=_params(payload))

    async def _login(self) -> HTTPClient:
        """discord.py's REST client, logged in, on the running loop (one session and pool)."""
        http = new_http_client(self.buckets.trace())
        try:
            await http.static_login(self.settings.token.get_secret_value())
        except BaseException:
            await http.close()
            raise
        return http

    async def _channel(self, http: HTTPClient, destination: Destination) -> str:
        """The channel to post in: the space's, or the member's DM channel (opened once)."""
        if not destination.private:
            return destination.address
        if destination.address not in self._dm_channels:
            opened = await http.start_private_message(int(destination.address))
            self._dm_channels[destination.address] = str(opened["id"])
        return self._dm_channels[destination.address]

    async def _wait_for_bucket(self, channel: str) -> None:
        """Honour what any worker learned from Discord's headers about this channel's bucket."""
        wait = await asyncio.to_thread(self.buckets.wait_for, channel)
        if wait > 0:  # the queue brings it back then; no worker sleeps for a bucket
            raise TransientSendError("discord: rate-limit bucket exhausted", retry_after=wait)

    async def close(self) -> None:
        """Close this event loop's HTTP session (tests and shutdown)."""
        await self._clients.close()


async def _logout(http: HTTPClient) -> None:
    await http.close()


def _account(settings: DiscordSettings) -> str:
    """The bot's id, the first part of its token, so buckets are per bot and the token unlogged."""
    return settings.token.get_secret_value().split(".", 1)[0]


def _params(payload: Mapping[str, Any], *, with_nonce: bool = True) -> Any:
    view = _view(payload.get("buttons"))
    mentions = discord.AllowedMentions(
        everyone=False,
        roles=False,
        replied_user=False,
        users=[discord.Object(int(u)) for u in payload.get("mentions", [])],
    )
    reply = payload.get("reply_to")
    reference: Any = (
        {"message_id": reply, "fail_if_not_exists": False}
        if isinstance(reply, str) and reply.isdigit()
        else discord.utils.MISSING
    )
    return handle_message_parameters(
        content=payload.get("content") or None,
        view=view if view is not None else discord.utils.MISSING,
        allowed_mentions=mentions,
        nonce=payload.get("nonce") if with_nonce else None,
        poll=_poll(payload.get("poll")),
        message_reference=reference,
    )


def _view(buttons: Any) -> discord.ui.View | None:
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(discord.ui.Button(label=button["label"], custom_id=button["custom_id"]))
    return view


def _poll(poll: Any) -> Any:
    if not isinstance(poll, dict):
        return discord.utils.MISSING
    native = discord.Poll(question=poll["question"], duration=POLL_DURATION)
    for answer in poll["answers"]:
        native.add_answer(text=answer)
    return native


def _translate_error(error: Exception, destination: Destination) -> SendError:
    if isinstance(error, discord.RateLimited):
        return TransientSendError("discord: rate limited", retry_after=error.retry_after)
    if isinstance(error, discord.DiscordServerError):
        return TransientSendError(f"discord: server error {error.status}")
    if isinstance(error, discord.HTTPException):
        if error.status == 429:
            return TransientSendError("discord: rate limited", retry_after=1.0)
        return _refusal(error, destination)
    if isinstance(error, TimeoutError | aiohttp.ClientError) and not aiohttp_never_written(error):
        return UncertainSendError(f"discord: {type(error).__name__} after the request was sent")
    return TransientSendError(f"discord: {type(error).__name__}")


def _refusal(error: discord.HTTPException, destination: Destination) -> PermanentSendError:
    """Whose problem a refusal is: the member's account, the hub's setup, or this message."""
    hint = HINTS.get(error.code)
    reason = f"discord: {error.code} {error.text}".rstrip() + (f" ({hint})" if hint else "")
    if error.code in UNREACHABLE and destination.private:
        return RecipientUnreachableError(reason)
    if error.status == 401 or (error.code in CONFIGURATION and not destination.private):
        return ConfigurationSendError(reason)
    return PermanentSendError(reason)
