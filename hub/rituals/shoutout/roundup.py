"""The weekly roundup: every nomination not yet announced, grouped by who is boosted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from markupsafe import Markup

from hub.core.model.domain import Member
from hub.core.model.messages import Outbound
from hub.core.model.richtext import escape_markup
from hub.core.model.ritual import RitualContext
from hub.core.model.schedule import next_occurrence
from hub.core.model.templates import trusted
from hub.rituals.base import local, member_vars, privately
from hub.rituals.shoutout.state import Nomination
from hub.rituals.shoutout.talk import config_of, member_of, say


@dataclass(frozen=True, slots=True)
class Group:
    """Everyone who boosted one member or link, in the order they did."""

    member: Member | None
    url: str | None
    boosts: list[dict[str, str]]

    @property
    def reachable(self) -> bool:
        """A member the hub can tell privately."""
        return self.member is not None and self.member.reachable


def groups(ctx: RitualContext, nominations: list[Nomination]) -> list[Group]:
    """Nominations grouped by who is boosted, first boosted first; those naming a member who
    is no longer known are left out."""
    found: dict[str, Group] = {}
    for nomination in nominations:
        by = member_of(ctx, nomination.by)
        member = member_of(ctx, nomination.member)
        if by is None or (nomination.member is not None and member is None):
            continue
        group = found.setdefault(nomination.key, Group(member, nomination.url, boosts=[]))
        group.boosts.append({"by": by.display_name, "why": nomination.why})
    return list(found.values())


def shown(found: list[Group]) -> list[dict[str, Any]]:
    """What the roundup template sees of each group: `who` (mention or link), `name`,
    `is_member` and `boosts` (`by`, `why`)."""
    return [
        {
            "who": _who(group),
            "name": group.member.display_name if group.member else group.url,
            "is_member": group.member is not None,
            "boosts": group.boosts,
        }
        for group in found
    ]


def _who(group: Group) -> Markup:
    if group.member is not None:
        mention: Markup = member_vars(group.member)["mention"]
        return mention
    url = escape_markup(str(group.url))
    return trusted(f"[{url}]({url})")


def told(ctx: RitualContext, group: Group) -> Outbound:
    """The private note to a boosted member: who boosted them and why."""
    assert group.member is not None
    body = say(ctx, "told", boosts=group.boosts)
    return privately(ctx, group.member.id, f"shoutout:told:{group.member.id}", body)


def roundup_day(ctx: RitualContext) -> str:
    """The weekday of the next roundup, in the community's language ("vendredi")."""
    when = next_occurrence(config_of(ctx).schedule, ctx.community.timezone, ctx.now)
    return format_date(local(ctx, when).date(), "EEEE", locale=ctx.community.locale)
