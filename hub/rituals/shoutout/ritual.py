"""The shout-out ritual's entry point: commands on events, the roundup on its schedule."""

from __future__ import annotations

from typing import ClassVar

from hub.core.config.models import ScheduledRitualSection
from hub.core.model import catalogue
from hub.core.model.events import CommandInvoked, Event
from hub.core.model.member_records import RitualState
from hub.core.model.ritual import NOTHING, Occurrence, Record, RitualContext, RitualResult
from hub.rituals.base import posts, state_of
from hub.rituals.shoutout import roundup
from hub.rituals.shoutout.commands import SUBVERBS, nominate
from hub.rituals.shoutout.config import TEXTS, ShoutoutConfig
from hub.rituals.shoutout.state import ShoutoutState
from hub.rituals.shoutout.talk import config_of, say

VERBS = ("shoutout", "coupdepouce")


class Shoutout:
    """Collects the week's shout-outs and celebrates them in one roundup."""

    name: ClassVar[str] = "shoutout"
    config_model: ClassVar[type[ScheduledRitualSection]] = ShoutoutConfig
    always_on: ClassVar[bool] = False
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("shoutout")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("shoutout")
    default_texts: ClassVar[dict[str, dict[str, str]]] = TEXTS
    state_model: ClassVar[type[RitualState]] = ShoutoutState

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Answer the shout-out commands."""
        if not isinstance(event, CommandInvoked) or event.name not in VERBS:
            return NOTHING
        if ctx.member is None:
            return NOTHING
        first = event.args[0].casefold() if event.args else ""
        handler = SUBVERBS.get(first)
        if handler is not None:
            return handler(ctx, event, ctx.member, event.args[1:])
        return nominate(ctx, event, ctx.member, event.args)

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """The weekly roundup: every nomination not yet announced, then archive them."""
        config, weeks = config_of(ctx), state_of(ctx, ShoutoutState).weeks
        pending = [n for week in sorted(weeks) for n in weeks[week] if not n.announced]
        groups = roundup.groups(ctx, pending)
        for nomination in (n for entries in weeks.values() for n in entries):
            nomination.announced = True
        state = ShoutoutState(weeks=weeks).recent()
        if not groups:
            invitation = posts(ctx, "shoutout:empty", say(ctx, "empty"))
            return RitualResult(outbound=invitation if config.post_when_empty else (), state=state)
        body = say(ctx, "roundup", groups=roundup.shown(groups))
        told = tuple(roundup.told(ctx, group) for group in groups if group.reachable)
        record = Record(kind="roundup", data={"weeks": sorted(weeks), "nominations": len(pending)})
        return RitualResult(
            outbound=(*posts(ctx, "shoutout:roundup", body), *told),
            state=state,
            records=(record,),
        )
