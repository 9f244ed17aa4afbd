"""The members' spotlight verbs: answer when asked (pitch, link), pass, pause, resume."""

from __future__ import annotations

from collections.abc import Callable

from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked
from hub.core.model.messages import Outbound
from hub.core.model.ritual import Record, RitualContext, RitualResult
from hub.rituals.base import reply, state_of, web_address
from hub.rituals.spotlight import owners
from hub.rituals.spotlight.publishing import LINK_LIMIT, ask_next, publication_date
from hub.rituals.spotlight.rotation import Rotation
from hub.rituals.spotlight.state import SpotlightState
from hub.rituals.spotlight.talk import VERB, answer, say

PITCH_LIMIT = 500
Handler = Callable[[RitualContext, CommandInvoked, Member, tuple[str, ...]], RitualResult]


def command(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """`/hub spotlight <sub-verb> …`: the sub-verb's handler, or the usage."""
    assert ctx.member is not None
    sub = event.args[0].lower() if event.args else ""
    handler = HANDLERS.get(sub)
    if handler is None:
        return answer(ctx, event, "usage", admin=ctx.is_admin)
    return handler(ctx, event, ctx.member, event.args[1:])


def _pitch(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """The asked member's few words, published on the day."""
    state = state_of(ctx, SpotlightState)
    if state.asked is None or state.asked.member != me.id:
        return answer(ctx, event, "not_asked")
    pitch = " ".join(" ".join(args).split())
    if not pitch:
        return answer(ctx, event, "pitch_missing")
    if len(pitch) > PITCH_LIMIT:
        return answer(ctx, event, "pitch_too_long", length=len(pitch), limit=PITCH_LIMIT)
    state.asked.pitch = pitch
    return answer(ctx, event, "pitch_saved", state, pitch=pitch, date=publication_date(ctx))


def _link(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """The asked member's link (http or https only), published with their pitch."""
    state = state_of(ctx, SpotlightState)
    if state.asked is None or state.asked.member != me.id:
        return answer(ctx, event, "not_asked")
    link = web_address(args[0], LINK_LIMIT) if len(args) == 1 else None
    if link is None:
        return answer(ctx, event, "bad_link")
    state.asked.link = link
    return answer(ctx, event, "link_saved", state, link=link, date=publication_date(ctx))


def _skip(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """The asked member declines: to the end of the queue, and the next member is asked now."""
    rotation = Rotation.load(state_of(ctx, SpotlightState))
    if rotation.asked_id != me.id:
        return answer(ctx, event, "not_asked")
    present = rotation.sync(ctx.directory.members())
    if me.id in rotation.queue:
        rotation.take_turn(me.id)
    rotation.asked = None
    asked, records = ask_next(ctx, rotation, present, ctx.now, exclude=me.id)
    return RitualResult(
        outbound=(reply(ctx, event, f"{VERB}:skipped", say(ctx, "skipped")), *asked),
        state=rotation.dump(),
        records=(Record(kind="passed", data={}, member_id=me.id), *records),
    )


def _off(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """Out of the rotation, keeping one's place; if they were asked, the next member is."""
    rotation = Rotation.load(state_of(ctx, SpotlightState))
    rotation.off.add(me.id)
    asked: list[Outbound] = []
    records = [Record(kind="paused", data={}, member_id=me.id)]
    if rotation.asked_id == me.id:
        present = rotation.sync(ctx.directory.members())
        rotation.asked = None
        asked, more = ask_next(ctx, rotation, present, ctx.now)
        records += more
    return RitualResult(
        outbound=(reply(ctx, event, f"{VERB}:paused", say(ctx, "paused")), *asked),
        state=rotation.dump(),
        records=tuple(records),
    )


def _on(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """Back in the rotation, at the place kept."""
    rotation = Rotation.load(state_of(ctx, SpotlightState))
    rotation.off.discard(me.id)
    return RitualResult(
        outbound=(reply(ctx, event, f"{VERB}:resumed", say(ctx, "resumed")),),
        state=rotation.dump(),
        records=(Record(kind="resumed", data={}, member_id=me.id),),
    )


HANDLERS: dict[str, Handler] = {
    "pitch": _pitch,
    "link": _link,
    "skip": _skip,
    "passer": _skip,
    "off": _off,
    "on": _on,
    "queue": owners.queue,
    "move": owners.move,
}
