"""Sends hub messages to webchat rooms and members by appending to their Redis streams."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hub.adapters.transport import PerLoop, Timeouts
from hub.adapters.webchat import render, sessions, streams
from hub.adapters.webchat.settings import PLATFORM, WebchatSettings
from hub.core.model.deliveries import ERASE, Destination, SentRef
from hub.core.model.messages import Outbound
from hub.core.ports import AdapterResources, Capabilities, TransientSendError

ERASE_AFTER_SECONDS = 600
"""A forgotten member's session and private stream last this long, so the goodbye is read."""
SENT_MARK_SECONDS = 86_400
"""How long a nonce's entry id is kept: far longer than a delivery's retries last."""
APPEND_ONCE = """
local done = redis.call('GET', KEYS[2])
if done then return done end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'json', ARGV[3])
redis.call('SET', KEYS[2], id, 'EX', ARGV[2])
return id
"""
"""Append an entry unless its nonce was appended already (then answer that entry's id)."""


class WebchatSender:
    """The webchat adapter's Renderer and Sender."""

    platform = PLATFORM
    capabilities: Capabilities = render.CAPABILITIES

    def __init__(self, settings: WebchatSettings, resources: AdapterResources) -> None:
        self.settings = settings
        self.account = "webchat"  # the hub's own Redis: no platform budget to share
        self.timeouts = Timeouts()
        url = resources.redis_url
        self._clients: PerLoop[aioredis.Redis] = PerLoop(lambda: self._connect(url), _disconnect)

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        """See `render.payloads`."""
        return render.payloads(outbound, destination)

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        """Append the message to the room's or the member's stream (or erase a forgotten
        member's sessions, name and private stream: `delivery.ERASE`)."""
        redis = await self._clients.get()
        if payload.get(ERASE):
            return await self._erase(redis, destination)
        stream = (
            streams.private_stream(destination.community_id, destination.address)
            if destination.private
            else streams.room_stream(destination.community_id, destination.address)
        )
        fields = {k: v for k, v in payload.items() if k != "nonce"}
        entry = {"author": "hub", "sent_at": time.time(), **fields}
        try:
            entry_id = await self._append(redis, stream, entry, payload.get("nonce"))
        except RedisError as error:  # a timeout too: the nonce makes the resend harmless
            raise TransientSendError(
                f"webchat stream unavailable: {type(error).__name__}"
            ) from None
        return SentRef(message_id=entry_id.decode())

    async def close(self) -> None:
        """Close this event loop's Redis connections (shutdown, tests)."""
        await self._clients.close()

    async def _append(
        self, redis: aioredis.Redis, stream: str, entry: dict[str, Any], nonce: object
    ) -> bytes:
        """XADD, once per nonce (payloads rendered before nonces existed are appended as is)."""
        if not isinstance(nonce, str):
            return bytes(
                await redis.xadd(
                    stream, streams.encode(entry), maxlen=self.settings.history, approximate=True
                )
            )
        keys = [stream, f"{stream}:sent:{nonce}"]
        json_entry = streams.encode(entry)["json"]
        args = [self.settings.history, SENT_MARK_SECONDS, json_entry]
        appended: Any = redis.eval(APPEND_ONCE, len(keys), *keys, *args)
        return bytes(await appended)

    async def _connect(self, url: str) -> aioredis.Redis:
        """A client on the running loop; commands that hang fail instead of holding a send."""
        return aioredis.Redis.from_url(
            url,
            socket_connect_timeout=self.timeouts.connect,
            socket_timeout=self.timeouts.read,
        )

    async def _erase(self, redis: aioredis.Redis, destination: Destination) -> SentRef:
        try:
            await sessions.erase_member(
                redis, destination.community_id, destination.address, ERASE_AFTER_SECONDS
            )
        except RedisError as error:
            raise TransientSendError(f"webchat store unavailable: {type(error).__name__}") from None
        return SentRef(message_id="erased")


async def _disconnect(redis: aioredis.Redis) -> None:
    await redis.aclose()
