"""Who a shout-out command names: a member (by mention or full name), or a web address."""

from __future__ import annotations

from dataclasses import dataclass

from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked
from hub.core.model.mentions import is_mention, normalized
from hub.core.model.messages import Outbound
from hub.core.model.ritual import RitualContext
from hub.rituals.base import web_address
from hub.rituals.shoutout.state import target_key
from hub.rituals.shoutout.talk import error

MAX_URL = 500


@dataclass(frozen=True, slots=True)
class Boosted:
    """A resolved target: a member, or an outside account given as a link."""

    member: Member | None
    url: str | None
    consumed: int
    """How many command arguments named it (a quoted or several-word name)."""

    @property
    def key(self) -> str:
        """What makes two nominations the same (a link however it is written)."""
        return target_key(self.member.id if self.member else None, self.url)

    @property
    def label(self) -> str:
        """How replies name it: the member's name or the link."""
        return self.member.display_name if self.member else str(self.url)


def resolve(
    ctx: RitualContext, event: CommandInvoked, args: tuple[str, ...], usage: str
) -> Boosted | Outbound:
    """Who the first arguments name, or the reply saying what is wrong with them."""
    if not args:
        return error(ctx, event, usage)
    url = web_address(args[0], MAX_URL)
    if url is not None:
        return Boosted(None, url, 1)
    if not is_mention(args[0]):
        return error(ctx, event, usage, "bad_target", token=args[0])
    found = ctx.directory.find(args[0], event.platform)
    if len(found) == 1:
        return Boosted(found[0], None, 1)
    if not found:
        return error(ctx, event, usage, "unknown_member", token=args[0])
    longer = _full_name(ctx, event, args)
    if longer is not None:
        return longer
    names = [m.display_name for m in found]
    return error(ctx, event, usage, "ambiguous", token=args[0], names=names)


def _full_name(ctx: RitualContext, event: CommandInvoked, args: tuple[str, ...]) -> Boosted | None:
    """`@Marie Curie` typed without quotes: the one member whose full name the words spell."""
    for count in range(2, min(len(args), 3) + 1):
        words = " ".join(args[:count])
        wanted = normalized(words.removeprefix("@"))
        exact = [m for m in ctx.directory.find(words, event.platform) if wanted in _names(m)]
        if len(exact) == 1:
            return Boosted(exact[0], None, count)
    return None


def _names(member: Member) -> set[str]:
    return {normalized(member.display_name)} | {
        normalized(i.display_name) for i in member.identities
    }
