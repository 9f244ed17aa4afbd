"""A rate limiter shared by every worker: GCRA in one Redis script, on Redis's own clock."""

from __future__ import annotations

import redis

from hub.core.ports import RateLimit

# Generic cell rate algorithm: `tat` is the theoretical arrival time of the next send.
# Returns 0 and advances tat when the send may go now, else the milliseconds to wait.
_GCRA = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allowed_at = tat - interval * (burst - 1)
if now < allowed_at then return allowed_at - now end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(new_tat - now) + 1000)
return 0
"""


class RedisRateLimiter:
    """The production RateLimiter: one Redis key per (platform, account, scope, chat)."""

    def __init__(self, redis_url: str) -> None:
        self.redis = redis.Redis.from_url(redis_url)
        self.script = self.redis.register_script(_GCRA)

    def reserve(self, key: str, limit: RateLimit) -> float:
        """0 if a send may go now (slot taken), else seconds to wait."""
        interval_ms = limit.seconds * 1000 / limit.count
        wait_ms = self.script(keys=[f"hub:rate:{key}"], args=[interval_ms, limit.burst])
        return float(wait_ms) / 1000
