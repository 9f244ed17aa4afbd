"""Where discord.py's REST and gateway point, and the REST client the hub builds on.

discord.py keeps both addresses in class attributes (`Route.BASE`, `DiscordWebSocket.
DEFAULT_GATEWAY`), so they are process-wide: every community in one hub process talks to the
same Discord (the real one, or one `api_base_url` such as a local fake).
"""

from __future__ import annotations

import asyncio

import aiohttp
import structlog
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient, Route

log = structlog.get_logger(__name__)
API_VERSION_PATH = "/api/v10"
DISCORD_API = "https://discord.com" + API_VERSION_PATH
# Waits on a rate limit longer than this come back as RateLimited (discord.py's floor is 30 s).
MAX_INLINE_RATELIMIT = 30.0


def point_at(api_base_url: str | None) -> None:
    """Send every REST call to `api_base_url` (its host root), or to Discord when None."""
    base = api_base_url.rstrip("/") + API_VERSION_PATH if api_base_url else DISCORD_API
    if base != Route.BASE:
        log.info("discord.api", base=base)
        Route.BASE = base


def new_http_client(trace: aiohttp.TraceConfig | None = None) -> HTTPClient:
    """discord.py's REST client (auth, per-route buckets, 429 retries) on the running loop."""
    return HTTPClient(
        asyncio.get_running_loop(), http_trace=trace, max_ratelimit_timeout=MAX_INLINE_RATELIMIT
    )


async def use_advertised_gateway(http: HTTPClient) -> None:
    """Connect the gateway where the REST API says (`GET /gateway/bot`), as discord.py does."""
    if Route.BASE == DISCORD_API:
        return
    _shards, url, _limit = await http.get_bot_gateway()
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
