"""`/hub who`: the members whose card or name mentions a word, skills first."""

from __future__ import annotations

from collections.abc import Iterable

from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked
from hub.core.model.mentions import normalized
from hub.core.model.ritual import RitualContext, RitualResult
from hub.rituals.profile.talk import answer, answer_body, card_vars, say

WHO_LIMIT = 10  # members listed by one `/hub who`


def who(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """List up to WHO_LIMIT members whose card or name mentions the word (names, no pings)."""
    word = " ".join(" ".join(event.args).split())
    wanted = normalized(word)
    if not wanted:
        return answer(ctx, event, "who_usage")
    found = _search(ctx.directory.members(), wanted)
    if not found:
        return answer(ctx, event, "who_nobody", word=word)
    members = [card_vars(m, m.profile) for m in found[:WHO_LIMIT]]
    more = max(0, len(found) - WHO_LIMIT)
    body = say(ctx, "who_found", word=word, members=members, more=more)
    return answer_body(ctx, event, "who:found", body)


def _search(members: Iterable[Member], wanted: str) -> list[Member]:
    """Members matching `wanted`, those who list it as a skill first, then by name, then the
    rest; directory order (oldest first) within each group."""
    ranked = [(rank, m) for m in members if (rank := _rank(m, wanted)) is not None]
    return [m for _, m in sorted(ranked, key=lambda pair: pair[0])]


def _rank(member: Member, wanted: str) -> int | None:
    profile = member.profile
    if any(wanted in normalized(s) for s in profile.get("skills", "").split(",")):
        return 0
    if wanted in normalized(member.display_name):
        return 1
    if any(wanted in normalized(profile.get(f, "")) for f in ("bio", "city")):
        return 2
    return None
