"""Members' sessions: a random token per member, kept in Redis only as a keyed hash.

A token is `secrets.token_urlsafe(32)`, given once at /join and presented on every request
(`Authorization: Bearer …`). Redis holds HMAC-SHA256(webchat secret, token) → the member's
user id and bound display name, so a copy of Redis does not let anyone act as a member, and
nothing that any page shows (room messages carry only display names) is a credential. The
event stream, which a browser opens without headers, takes a single-use ticket instead.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import cast

import redis.asyncio as aioredis

from hub.adapters.webchat.streams import private_stream

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # what token_urlsafe(32) gives
TICKET_SECONDS = 60

# Takes a name for a session, atomically: refused (0) when another member holds the name's
# key; otherwise the session gets the name and gives back the key it held before.
# KEYS: names hash, session hash. ARGV: name key, user id, display name.
_CLAIM = """
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner and owner ~= ARGV[2] then return 0 end
local old = redis.call('HGET', KEYS[2], 'name_key')
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if old and old ~= ARGV[1] and redis.call('HGET', KEYS[1], old) == ARGV[2] then
  redis.call('HDEL', KEYS[1], old)
end
redis.call('HSET', KEYS[2], 'user_id', ARGV[2], 'name', ARGV[3], 'name_key', ARGV[1])
return 1
"""


@dataclass(frozen=True, slots=True)
class Member:
    """Who a valid token belongs to, as the server knows them (never as the client says)."""

    user_id: str
    name: str
    session: str
    """The Redis key of the session (a hash of the token, not the token)."""


class Sessions:
    """One community's webchat sessions, names and join counters in Redis."""

    def __init__(self, redis: aioredis.Redis, community_id: str, secret: bytes) -> None:
        self.redis = redis
        self.prefix = f"hub:webchat:{community_id}"
        self.secret = secret
        self.claim = redis.register_script(_CLAIM)

    def _key(self, kind: str, token: str) -> str:
        digest = hmac.new(self.secret, token.encode("ascii"), hashlib.sha256).hexdigest()
        return f"{self.prefix}:{kind}:{digest}"

    async def join(self, name: str, name_key: str) -> tuple[str, Member] | None:
        """A new member with a fresh token, or None when the name is taken."""
        token = secrets.token_urlsafe(32)
        user_id = uuid.uuid4().hex
        session = self._key("session", token)
        if not await self.claim(
            keys=[f"{self.prefix}:names", session], args=[name_key, user_id, name]
        ):
            return None
        return token, Member(user_id, name, session)

    async def member(self, token: str) -> Member | None:
        """The member a token belongs to; None for any unknown or malformed token."""
        if not TOKEN_SHAPE.fullmatch(token):
            return None
        session = self._key("session", token)
        fields = await cast(
            "Awaitable[list[bytes | None]]", self.redis.hmget(session, ["user_id", "name"])
        )
        if fields[0] is None or fields[1] is None:
            return None
        return Member(fields[0].decode(), fields[1].decode(), session)

    async def rename(self, member: Member, name: str, name_key: str) -> bool:
        """Give the member another name; False when someone else holds it."""
        keys = [f"{self.prefix}:names", member.session]
        return bool(await self.claim(keys=keys, args=[name_key, member.user_id, name]))

    async def first_visit(self, member: Member, space: str) -> bool:
        """True the first time the member enters this space (the hub then hears a join)."""
        added = self.redis.hsetnx(member.session, f"in:{space}", "1")
        return bool(await cast("Awaitable[int]", added))

    async def ticket(self, member: Member) -> str:
        """A single-use ticket, valid one minute, that opens the member's event stream."""
        ticket = secrets.token_urlsafe(32)
        await self.redis.set(self._key("ticket", ticket), member.user_id, ex=TICKET_SECONDS)
        return ticket

    async def redeem(self, ticket: str) -> str | None:
        """The user id a ticket was given to, once; None for a used, old or malformed one."""
        if not TOKEN_SHAPE.fullmatch(ticket):
            return None
        user_id = await self.redis.getdel(self._key("ticket", ticket))
        return user_id.decode() if user_id is not None else None

    async def join_wait(self, client: str, limit: int, window: float) -> int:
        """0 when this client may join now (counted), else the seconds until it may again."""
        now = time.time()
        slot = int(now // window)
        key = f"{self.prefix}:joins:{client}:{slot}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, int(window) + 1)
            count, _ = await pipe.execute()
        if count <= limit:
            return 0
        return max(1, int((slot + 1) * window - now + 0.999))


async def erase_member(
    redis: aioredis.Redis, community_id: str, user_id: str, after_seconds: int
) -> None:
    """Forget-me on the webchat: the member's name is free at once; their sessions and their
    private stream (export-me answers, link codes) expire after `after_seconds`."""
    prefix, me = f"hub:webchat:{community_id}", user_id.encode()
    names = await cast("Awaitable[dict[bytes, bytes]]", redis.hgetall(f"{prefix}:names"))
    taken = [key.decode() for key, owner in names.items() if owner == me]
    if taken:
        await cast("Awaitable[int]", redis.hdel(f"{prefix}:names", *taken))
    async for session in redis.scan_iter(match=f"{prefix}:session:*", count=500):
        if await cast("Awaitable[bytes | None]", redis.hget(session, "user_id")) == me:
            await redis.expire(session, after_seconds)
    await redis.expire(private_stream(community_id, user_id), after_seconds)
