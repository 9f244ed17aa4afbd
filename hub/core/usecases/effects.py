"""Effects: the changes a ritual asks of the core, applied in the ritual's unit of work.

Rituals stay pure; merging two members, forgetting one or editing a profile touch rows that
belong to the core, so a ritual returns the effect and the core carries it out. What follows
comes back as follow-up events: `MembersMerged` / `MemberForgotten` (no ritual handles them: the
core already rewrote every ritual's member records), and `RecordsRewritten` for each ritual
whose state the core changed (a poll re-edits its tallies).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from hub.core.model.domain import Identity
from hub.core.model.events import (
    Event,
    MemberForgotten,
    MembersMerged,
    RecordsRewritten,
    RitualSignalled,
)
from hub.core.model.ritual import Effect, ForgetMember, MergeMembers, SetProfile, Signal
from hub.core.ports import UnitOfWork
from hub.core.usecases.forgetting import forget_member
from hub.core.usecases.linking import merge_members
from hub.core.usecases.ritual_state import StateModels

log = structlog.get_logger(__name__)
HUB = Identity(platform="hub", user_id="hub", display_name="hub")


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """Where an effect comes from: the ritual, the cause naming follow-ups, the time, and the
    state models of the rituals whose member records the core rewrites."""

    ritual: str
    cause: str
    now: datetime
    models: StateModels


def apply(uow: UnitOfWork, effect: Effect, step: Step) -> tuple[Event, ...]:
    """Carry out one effect (not FireRitual, which the runner does itself); the follow-ups."""
    if isinstance(effect, SetProfile):
        uow.members.set_profile(effect.member_id, effect.fields)
        return ()
    if isinstance(effect, MergeMembers):
        return _merge(uow, effect, step)
    if isinstance(effect, ForgetMember):
        return _forget(uow, effect, step)
    if isinstance(effect, Signal):  # ids of follow-ups name no member: they key deliveries
        return (
            RitualSignalled(
                event_id=f"{step.cause}:{step.ritual}:{effect.name}",
                ritual=step.ritual,
                name=effect.name,
                member_id=effect.member_id,
                other_member_id=effect.other_member_id,
                **_base(uow, step),
            ),
        )
    raise TypeError(f"not an effect the core applies here: {effect!r}")


def _merge(uow: UnitOfWork, effect: MergeMembers, step: Step) -> tuple[Event, ...]:
    changed = merge_members(uow, effect.kept, effect.merged, step.models, step.now)
    log.info("members.merged", kept=effect.kept, merged=effect.merged)
    merged = MembersMerged(
        event_id=f"{step.cause}:merge:{effect.merged}",
        kept=effect.kept,
        merged=effect.merged,
        **_base(uow, step),
    )
    return (merged, *_rewritten(uow, step, "merge", changed))


def _forget(uow: UnitOfWork, effect: ForgetMember, step: Step) -> tuple[Event, ...]:
    gone = forget_member(uow, effect.member_id, step.cause, step.models, step.now)
    log.info("member.forgotten", member=effect.member_id)
    forgotten = MemberForgotten(
        event_id=f"{step.cause}:forget",
        member_id=effect.member_id,
        accounts=gone.accounts,
        **_base(uow, step),
    )
    return (forgotten, *_rewritten(uow, step, "forget", gone.rituals))


def _rewritten(
    uow: UnitOfWork, step: Step, why: str, rituals: tuple[str, ...]
) -> tuple[RecordsRewritten, ...]:
    return tuple(
        RecordsRewritten(event_id=f"{step.cause}:{why}:{name}", ritual=name, **_base(uow, step))
        for name in rituals
    )


def _base(uow: UnitOfWork, step: Step) -> dict[str, Any]:
    return {
        "community_id": uow.community_id,
        "platform": HUB.platform,
        "space": None,
        "actor": HUB,
        "occurred_at": step.now,
    }
