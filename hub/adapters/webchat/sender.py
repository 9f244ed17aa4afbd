"""Sends hub messages to webchat rooms and members by appending to their Redis streams."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hub.adapters.webchat import sessions, streams, translate
from hub.adapters.webchat.settings import WebchatSettings
from hub.core.delivery import ERASE, Destination, SentRef
from hub.core.outbound import Outbound
from hub.core.ports import AdapterResources, Capabilities, TransientSendError

ERASE_AFTER_SECONDS = 600
"""A forgotten member's session and private stream last this long, so the goodbye is read."""


class WebchatSender:
    """The webchat adapter's Renderer and Sender."""

    platform = translate.PLATFORM
    capabilities: Capabilities = translate.CAPABILITIES

    def __init__(self, settings: WebchatSettings, resources: AdapterResources) -> None:
        self.settings = settings
        self.account = "webchat"  # the hub's own Redis: no platform budget to share
        self.redis = aioredis.Redis.from_url(resources.redis_url)

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        """See `translate.render`."""
        return translate.render(outbound, destination)

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        """Append the message to the room's or the member's stream (or erase a forgotten
        member's sessions, name and private stream: `delivery.ERASE`)."""
        if payload.get(ERASE):
            return await self._erase(destination)
        stream = (
            streams.private_stream(destination.community_id, destination.address)
            if destination.private
            else streams.room_stream(destination.community_id, destination.address)
        )
        entry = {"author": "hub", "sent_at": time.time(), **payload}
        try:
            entry_id = await self.redis.xadd(
                stream, streams.encode(entry), maxlen=self.settings.history, approximate=True
            )
        except RedisError as error:
            raise TransientSendError(
                f"webchat stream unavailable: {type(error).__name__}"
            ) from None
        return SentRef(message_id=entry_id.decode())

    async def _erase(self, destination: Destination) -> SentRef:
        try:
            await sessions.erase_member(
                self.redis, destination.community_id, destination.address, ERASE_AFTER_SECONDS
            )
        except RedisError as error:
            raise TransientSendError(f"webchat store unavailable: {type(error).__name__}") from None
        return SentRef(message_id="erased")
