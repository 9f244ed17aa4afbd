"""The owners' spotlight verbs: see the queue, move a member in it (privately)."""

from __future__ import annotations

from typing import Any

from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked
from hub.core.model.ritual import Record, RitualContext, RitualResult
from hub.rituals.base import refusal, state_of
from hub.rituals.spotlight.rotation import Rotation
from hub.rituals.spotlight.state import SpotlightState
from hub.rituals.spotlight.talk import answer, config_of


def queue(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """The upcoming order, numbered as `move` understands it (nothing is changed)."""
    refused = refusal(ctx, event, config_of(ctx).texts, admin=True, private=True)
    if refused is not None:
        return RitualResult(outbound=(refused,))
    rotation = Rotation.load(state_of(ctx, SpotlightState))
    present = rotation.sync(ctx.directory.members())
    entries = [_entry(rotation, present[i], n) for n, i in enumerate(rotation.upcoming(), 1)]
    asked = rotation.asked
    if not entries and asked is None:
        return answer(ctx, event, "queue_empty")
    shown = None
    if asked is not None:
        shown = {
            "name": present[asked.member].display_name,
            "answered": bool(asked.pitch or asked.link),
        }
    return answer(ctx, event, "queue", entries=entries, asked=shown)


def _entry(rotation: Rotation, member: Member, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "name": member.display_name,
        "paused": member.id in rotation.off,
        "unreachable": not member.reachable,
    }


def move(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """An owner puts a member at position N of the queue."""
    refused = refusal(ctx, event, config_of(ctx).texts, admin=True, private=True)
    if refused is not None:
        return RitualResult(outbound=(refused,))
    if len(args) < 2 or not args[-1].isdigit() or int(args[-1]) < 1:
        return answer(ctx, event, "move_usage")
    found = _resolve(ctx, event, " ".join(args[:-1]))
    if not isinstance(found, Member):
        return found
    rotation = Rotation.load(state_of(ctx, SpotlightState))
    present = rotation.sync(ctx.directory.members())
    if found.id not in present:
        return answer(ctx, event, "unknown_member", token=" ".join(args[:-1]))
    if found.id == rotation.asked_id:
        return answer(ctx, event, "move_asked", name=found.display_name)
    position = rotation.place(found.id, int(args[-1]))
    total = len(rotation.upcoming())
    result = answer(
        ctx,
        event,
        "moved",
        rotation.dump(),
        name=found.display_name,
        position=position,
        total=total,
    )
    record = Record(kind="moved", data={"position": position, "by": me.id}, member_id=found.id)
    return RitualResult(outbound=result.outbound, state=result.state, records=(record,))


def _resolve(ctx: RitualContext, event: CommandInvoked, token: str) -> Member | RitualResult:
    """The one member `token` names, or the reply saying why not."""
    found = ctx.directory.find(token, event.platform)
    if len(found) == 1:
        return found[0]
    if not found:
        return answer(ctx, event, "unknown_member", token=token)
    names = [m.display_name for m in found]
    return answer(ctx, event, "ambiguous", token=token, names=names)
