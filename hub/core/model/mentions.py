"""Who a member meant: `@Zoé`, or `@{U123}` (a platform mention) → members of the community.

Each platform writes mentions its own way (`<@U123|zoe>` on Slack, `<@!123>` on Discord);
its inbound translator rewrites them as `mention_token(user_id)`, the one neutral notation,
so the core and the rituals never see a platform's syntax. Pure: matching runs over a list of
members, so rituals resolve the mentions in their commands through the directory.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from hub.core.model.domain import Member

_ID_MENTION = re.compile(r"^@\{(?P<user>[^{}\s]+)\}$")


def mention_token(user_id: str) -> str:
    """The neutral notation of a mention of the platform user `user_id`: `@{U123}`."""
    return f"@{{{user_id}}}"


def normalized(name: str) -> str:
    """A name as people type it: case, accents, spaces and punctuation ignored."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def is_mention(token: str) -> bool:
    """Whether a command argument names a member (rather than being a URL or a word)."""
    return token.startswith("@")


def match_members(token: str, platform: str, members: Iterable[Member]) -> list[Member]:
    """The members `token` may mean: by platform user id, else by exact name, else by prefix."""
    candidates = list(members)
    by_id = _ID_MENTION.match(token.strip())
    if by_id:
        user = by_id.group("user")
        return [
            m
            for m in candidates
            if any(i.platform == platform and i.user_id == user for i in m.identities)
        ]
    wanted = normalized(token.strip().removeprefix("@"))
    if not wanted:
        return []
    exact = [m for m in candidates if wanted in _names(m)]
    if exact:
        return exact
    return [m for m in candidates if any(n.startswith(wanted) for n in _names(m))]


def _names(member: Member) -> set[str]:
    return {normalized(member.display_name)} | {
        normalized(i.display_name) for i in member.identities
    }
