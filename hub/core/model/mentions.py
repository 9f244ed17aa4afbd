"""Who a member meant: `@Zoé`, `<@U123>` (Slack), `<@123>` (Discord) → members of the community.

Pure: matching runs over a list of members, so rituals can resolve mentions in their commands
through the directory without knowing any platform's mention syntax beyond these tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from hub.core.model.domain import Member

_PLATFORM_MENTION = re.compile(r"^<@!?(?P<user>[A-Za-z0-9]+)(?:\|[^>]*)?>$")


def normalized(name: str) -> str:
    """A name as people type it: case, accents, spaces and punctuation ignored."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def is_mention(token: str) -> bool:
    """Whether a command argument names a member (rather than being a URL or a word)."""
    return token.startswith("@") or bool(_PLATFORM_MENTION.match(token))


def match_members(token: str, platform: str, members: Iterable[Member]) -> list[Member]:
    """The members `token` may mean: by platform user id, else by exact name, else by prefix."""
    candidates = list(members)
    platform_mention = _PLATFORM_MENTION.match(token.strip())
    if platform_mention:
        user = platform_mention.group("user")
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
