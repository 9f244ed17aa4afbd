"""A rate limiter shared by every worker: GCRA in one Redis script, on Redis's own clock.

Times are integer microseconds (Redis `TIME`), so no wait is ever rounded down to "go now".
A reservation checks every budget of a send at once and spends the slot it returns: the caller
owns it, at `now + wait`, and sends then. One exception keeps a bot-wide budget from being
blocked by a chat's: when the slot is later than the bot-wide budget's own next one, that budget
is left for the caller to take when the slot comes (`Slot.pending`), instead of being booked
seconds ahead, which would stop every other chat until then.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import redis

from hub.core.ports import Budget, RateLimit, Slot

# `tat` (theoretical arrival time) of a budget: when its next evenly spaced slot is free. A
# budget with burst b lets a send go up to (b - 1) intervals before its tat.
# KEYS: the budgets. ARGV: a pause in µs (0 to reserve), then per key its interval in µs, its
# burst and its kind: 0 bot-wide, 1 one chat's, 2 already reserved by this caller.
# Returns {µs from now to the slot, then the 1-based index of each budget left pending}.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local pause = tonumber(ARGV[1])
local slot = now
local tats, allowed = {}, {}
for i, key in ipairs(KEYS) do
  local interval, burst = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  tats[i] = tat
  allowed[i] = tat - interval * (burst - 1)
  if ARGV[3 * i + 1] ~= '2' and allowed[i] > slot then slot = allowed[i] end
end
local pending = {}
for i, key in ipairs(KEYS) do
  local interval, burst, kind = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i]), ARGV[3 * i + 1]
  local tat = tats[i]
  if pause > 0 then
    local blocked = now + pause + interval * (burst - 1)
    if blocked > tat then tat = blocked end
  elseif kind == '2' then
    if slot + interval > tat then tat = slot + interval end
  elseif kind == '0' and slot > now and allowed[i] < slot then
    table.insert(pending, i)
    tat = nil
  else
    if slot > tat then tat = slot end
    tat = tat + interval
  end
  if tat then
    local ttl = math.ceil((tat - now) / 1000) + 1000
    redis.call('SET', key, string.format('%d', tat), 'PX', string.format('%d', ttl))
  end
end
if pause > 0 then return {0} end
return {slot - now, unpack(pending)}
"""

# A sorted set per budget of the sends made in its window (score: µs). KEYS: the budgets' send
# logs. ARGV: a unique member for this send, then per key its window in µs and its count.
# Returns 0 once the send is recorded in every log, else the µs until every window has room.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
for i, key in ipairs(KEYS) do
  local window, count = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%d', now - window))
  if redis.call('ZCARD', key) >= count then
    local oldest = redis.call('ZRANGE', key, -count, -count, 'WITHSCORES')
    local free_at = tonumber(oldest[2]) + window
    if free_at - now > wait then wait = free_at - now end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * i])
  redis.call('ZADD', key, string.format('%d', now), ARGV[1])
  redis.call('PEXPIRE', key, string.format('%d', math.ceil(window / 1000) + 1000))
end
return 0
"""

_BOT_WIDE, _ONE_CHAT, _OWNED = 0, 1, 2


class RedisRateLimiter:
    """The production RateLimiter: one Redis key per budget (platform, account, scope, chat)."""

    def __init__(self, redis_url: str) -> None:
        self.redis = redis.Redis.from_url(redis_url)
        self.script = self.redis.register_script(_GCRA)
        self.admission = self.redis.register_script(_ADMIT)

    def reserve(self, budgets: Sequence[Budget], owned: Sequence[Budget] = ()) -> Slot:
        """Reserve the earliest slot every budget allows (`owned` ones are already this
        caller's, and follow the slot if it moves later)."""
        if not budgets:
            return Slot(wait=0.0)
        kinds = [_OWNED if budget in owned else _kind(budget[1]) for budget in budgets]
        wait_us, *pending = self.script(keys=_keys(budgets), args=[0, *_args(budgets, kinds)])
        left = tuple(budgets[int(index) - 1] for index in pending)
        return Slot(wait=int(wait_us) / 1_000_000, pending=left)

    def pause(self, budgets: Sequence[Budget], seconds: float) -> None:
        """No slot under these budgets before `seconds` from now (the platform said 429)."""
        pause_us = math.ceil(seconds * 1_000_000)
        if budgets and pause_us > 0:
            kinds = [_kind(limit) for _, limit in budgets]
            self.script(keys=_keys(budgets), args=[pause_us, *_args(budgets, kinds)])

    def admit(self, budgets: Sequence[Budget], token: str) -> float:
        """Record this send in every budget's sliding window, or say how long until room."""
        if not budgets:
            return 0.0
        windows: list[int | str] = [token]
        for _, limit in budgets:
            windows += [math.ceil(limit.seconds * 1_000_000), limit.count]
        keys = [f"hub:sent:{key}" for key, _ in budgets]
        return int(self.admission(keys=keys, args=windows)) / 1_000_000


def _kind(limit: RateLimit) -> int:
    return _BOT_WIDE if limit.scope == "bot" else _ONE_CHAT


def _keys(budgets: Sequence[Budget]) -> list[str]:
    return [f"hub:rate:{key}" for key, _ in budgets]


def _args(budgets: Sequence[Budget], kinds: Sequence[int]) -> list[int]:
    """Interval (µs, rounded up so the pace never exceeds the limit), burst and kind of each."""
    values: list[int] = []
    for (_, limit), kind in zip(budgets, kinds, strict=True):
        values += [math.ceil(limit.seconds * 1_000_000 / limit.count), limit.burst, kind]
    return values
