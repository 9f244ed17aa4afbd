"""The spotlight's entry point: publication and asks on schedule, the verbs, members coming
and going."""

from __future__ import annotations

from typing import ClassVar

from hub.core.config.models import ScheduledRitualSection
from hub.core.model import catalogue
from hub.core.model.events import (
    CommandInvoked,
    Event,
    MemberJoined,
    MemberLeft,
    RecordsRewritten,
)
from hub.core.model.member_records import RitualState
from hub.core.model.messages import Outbound
from hub.core.model.ritual import NOTHING, Occurrence, Record, RitualContext, RitualResult, Signal
from hub.rituals.base import is_command, posts, state_of
from hub.rituals.spotlight.commands import command
from hub.rituals.spotlight.config import TEXTS, SpotlightConfig
from hub.rituals.spotlight.publishing import ask_next, post_body
from hub.rituals.spotlight.rotation import Rotation
from hub.rituals.spotlight.state import SpotlightState
from hub.rituals.spotlight.talk import VERB, config_of


class Spotlight:
    """Puts one member forward per occurrence, everyone in turn."""

    name: ClassVar[str] = "spotlight"
    config_model: ClassVar[type[ScheduledRitualSection]] = SpotlightConfig
    always_on: ClassVar[bool] = False
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("spotlight")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("spotlight")
    default_texts: ClassVar[dict[str, dict[str, str]]] = TEXTS
    state_model: ClassVar[type[RitualState]] = SpotlightState

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Ask the member who comes next (the ask slot), or publish the member whose turn it
        is (then ask the next at once when there is no ask slot)."""
        rotation = Rotation.load(state_of(ctx, SpotlightState))
        present = rotation.sync(ctx.directory.members())
        if occurrence.slot == "ask":
            if rotation.asked is not None:
                return NOTHING
            asked, asked_records = ask_next(ctx, rotation, present, ctx.now)
            return RitualResult(
                outbound=tuple(asked), state=rotation.dump(), records=tuple(asked_records)
            )
        featured = rotation.on_stage(present)
        outbound: list[Outbound] = []
        records: list[Record] = []
        effects: list[Signal] = []
        if featured is not None:
            source, body = post_body(ctx, featured, rotation.answer_of(featured.id))
            outbound += posts(ctx, f"{VERB}:post", body)
            records.append(Record(kind="featured", data={"source": source}, member_id=featured.id))
            effects.append(Signal(name="featured", member_id=featured.id))
            rotation.take_turn(featured.id)
        rotation.asked = None
        after = max(ctx.now, occurrence.scheduled_at)
        has_ask_slot = "ask" in config_of(ctx).schedules()
        asked, asked_records = ([], []) if has_ask_slot else ask_next(ctx, rotation, present, after)
        return RitualResult(
            outbound=(*outbound, *asked),
            state=rotation.dump(),
            records=(*records, *asked_records),
            effects=tuple(effects),
        )

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Answer `/hub spotlight …`; follow members who join or leave; ask someone else when
        the member asked was forgotten."""
        if isinstance(event, RecordsRewritten):
            return _asked_again(ctx) if event.ritual == self.name else NOTHING
        if ctx.member is None:
            return NOTHING
        if isinstance(event, MemberLeft):
            return _left(ctx, ctx.member.id)
        if isinstance(event, MemberJoined):
            return _back(ctx, ctx.member.id)
        if isinstance(event, CommandInvoked) and is_command(event, VERB):
            return command(ctx, event)
        return NOTHING


def _left(ctx: RitualContext, member_id: int) -> RitualResult:
    """A member left (they come back at the end if they rejoin); if they had been asked, the
    next member is asked at once."""
    rotation = Rotation.load(state_of(ctx, SpotlightState))
    was_asked = rotation.asked_id == member_id
    rotation.leave(member_id)
    rotation.left.add(member_id)
    if not was_asked:
        return RitualResult(state=rotation.dump())
    present = rotation.sync(ctx.directory.members())
    present.pop(member_id, None)
    asked, records = ask_next(ctx, rotation, present, ctx.now, exclude=member_id)
    return RitualResult(outbound=tuple(asked), state=rotation.dump(), records=tuple(records))


def _asked_again(ctx: RitualContext) -> RitualResult:
    """The member asked for the next publication is gone from the state (forget-me): the
    next member is asked at once."""
    state = state_of(ctx, SpotlightState)
    if state.asked is not None or not state.ask_open:
        return NOTHING
    rotation = Rotation.load(state)
    present = rotation.sync(ctx.directory.members())
    asked, records = ask_next(ctx, rotation, present, ctx.now)
    return RitualResult(outbound=tuple(asked), state=rotation.dump(), records=tuple(records))


def _back(ctx: RitualContext, member_id: int) -> RitualResult:
    """A member who had left joined again: they rejoin the rotation as a newcomer."""
    state = state_of(ctx, SpotlightState)
    if member_id not in state.left:
        return NOTHING
    state.left = [i for i in state.left if i != member_id]
    return RitualResult(state=state)
