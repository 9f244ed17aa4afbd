"""Discord's rate-limit headers, shared through Redis by every process that sends as one bot.

discord.py tracks buckets per process, so ten workers would each believe they own a channel's
bucket. Here every REST response's `X-RateLimit-*` headers are recorded in Redis: an exhausted
bucket (`Remaining: 0`) or a 429 blocks that channel, or the whole bot for a global 429, until
Discord's reset, and every sender waits for it before calling Discord.
"""

from __future__ import annotations

import asyncio
import re
from types import SimpleNamespace
from typing import Any

import aiohttp
import redis

_CHANNEL = re.compile(r"/channels/(\d+)/")


class SharedBuckets:
    """Blocks per channel and per bot, as Redis keys that expire at Discord's reset."""

    def __init__(self, redis_url: str, account: str) -> None:
        self.redis = redis.Redis.from_url(redis_url)
        self.prefix = f"hub:discord:{account}"

    def wait_for(self, channel_id: str) -> float:
        """Seconds until a message to `channel_id` may go (0 when nothing blocks it)."""
        with self.redis.pipeline() as pipe:
            pipe.pttl(f"{self.prefix}:global")
            pipe.pttl(f"{self.prefix}:channel:{channel_id}")
            ttls = pipe.execute()
        return max([t for t in ttls if t > 0], default=0) / 1000

    def _block(self, key: str, seconds: float) -> None:
        if seconds > 0:
            self.redis.set(f"{self.prefix}:{key}", 1, px=max(int(seconds * 1000), 1))

    def trace(self) -> aiohttp.TraceConfig:
        """An aiohttp trace that reads every response discord.py receives and records blocks."""
        config = aiohttp.TraceConfig()

        async def on_request_end(
            _session: aiohttp.ClientSession,
            _context: SimpleNamespace,
            params: aiohttp.TraceRequestEndParams,
        ) -> None:
            response = params.response
            block = _block_for(params.url.path, response.status, response.headers)
            if block is not None:  # rare: most responses leave the bucket open, no Redis call
                await asyncio.to_thread(self._block, *block)

        config.on_request_end.append(on_request_end)
        return config


def _block_for(path: str, status: int, headers: Any) -> tuple[str, float] | None:
    """What a response blocks, and for how long: the bot (global 429), a channel, or nothing."""
    if status == 429 and headers.get("X-RateLimit-Global"):
        return "global", _seconds(headers.get("Retry-After"))
    match = _CHANNEL.search(path)
    if match is None or (headers.get("X-RateLimit-Remaining") != "0" and status != 429):
        return None
    wait = _seconds(headers.get("X-RateLimit-Reset-After") or headers.get("Retry-After"))
    return f"channel:{match.group(1)}", wait


def _seconds(value: Any) -> float:
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return 0.0
