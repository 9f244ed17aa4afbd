"""Inbound handling: one event through a pipeline of small steps, in one unit of work.

dedupe → delivery report → resolve member → presence and opt-out → numbered choice → run
rituals. Each step is a function of the turn (`hub.core.usecases.turn.Turn`), tested alone
against the in-memory unit of work; the last hands the event to the ritual runner. Everything
commits together: the returned ids are the deliveries to hand to the sender (a crash before
that is repaired by the sweeper).
"""

from __future__ import annotations

import structlog

from hub.core.model.domain import Member
from hub.core.model.events import (
    DeliveryReported,
    Event,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    OptedIn,
    OptedOut,
)
from hub.core.model.ritual import RepliedTo
from hub.core.usecases.causes import Cause
from hub.core.usecases.choices import as_choice
from hub.core.usecases.reports import record_report
from hub.core.usecases.runner import RitualRunner
from hub.core.usecases.turn import Turn, Wiring

log = structlog.get_logger(__name__)


class InboundPipeline:
    """Handles inbound events for every community."""

    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring

    def handle(self, event: Event) -> list[int]:
        """Run the event through the steps, once, however often it is delivered."""
        runtime = self.wiring.communities.get(event.community_id)
        if runtime is None:
            log.warning("event.unknown_community", community=event.community_id)
            return []
        now = self.wiring.clock()
        with self.wiring.units.transaction(runtime.community.id) as uow:
            return handle(Turn.open(self.wiring, uow, runtime, now), event)


def handle(turn: Turn, event: Event) -> list[int]:
    """The steps, in order, within one turn."""
    if not first_time(turn, event):
        return []
    if isinstance(event, DeliveryReported):
        record_report(turn, event)
        return []
    member = resolve_member(turn, event)
    released = track_presence(turn, event)
    event = as_choice(turn, event)
    return released + RitualRunner(turn).on_event(cause_of(turn, event, member), event)


def first_time(turn: Turn, event: Event) -> bool:
    """Dedupe: False for an event already handled (a platform's or the queue's redelivery)."""
    if turn.uow.events.first_time(event.event_id, turn.now):
        return True
    log.info("event.duplicate", event_id=event.event_id, platform=event.platform)
    return False


def resolve_member(turn: Turn, event: Event) -> Member:
    """The member who acted, created on first sight; writing privately opens the private chat."""
    member = turn.uow.members.resolve(event.actor, turn.now)
    if event.space is None:
        turn.uow.members.open_private_chat(event.actor)
    return member


def track_presence(turn: Turn, event: Event) -> list[int]:
    """Keep space memberships and opt-outs; the member wrote, so what was held for them goes."""
    members, actor = turn.uow.members, event.actor
    if isinstance(event, MemberJoined) and event.space is not None:
        members.join_space(event.space, actor, turn.now)
    elif isinstance(event, MemberLeft) and event.space is not None:
        members.leave_space(event.space, actor)
    elif isinstance(event, OptedIn):
        members.set_opted_out(actor, None)
    elif isinstance(event, OptedOut):
        members.set_opted_out(actor, turn.now)
        skipped = turn.planner.skip_pending(event.platform, actor.user_id, "the member opted out")
        log.info("member.opted_out", platform=event.platform, skipped=skipped)
        return []
    capabilities = turn.capabilities(event.platform)
    keep = capabilities.hold_outside_window if capabilities else None
    if keep is None:
        return []
    return turn.planner.release_held(event.platform, actor.user_id, keep)


def cause_of(turn: Turn, event: Event, member: Member) -> Cause:
    """What the rituals decide on: the event, its member, what it replied to, a private link."""
    return Cause(
        key=f"event:{event.platform}:{event.event_id}",
        seed=event.event_id,
        member=member,
        actor=event.actor,
        replied_to=replied_to(turn, event),
        private_link=private_link(turn, event),
    )


def replied_to(turn: Turn, event: Event) -> RepliedTo | None:
    """If the member replied to one of the hub's messages, which one (by its platform id)."""
    if not isinstance(event, MessageReceived) or event.reply_to is None:
        return None
    sent = turn.uow.sent.by_platform_id(event.platform, event.reply_to)
    if sent is None:
        return None
    cause, outbound_key = sent.idempotency_key.split("|")[:2]
    return RepliedTo(ritual=sent.ritual, outbound_key=outbound_key, cause=cause)


def private_link(turn: Turn, event: Event) -> str | None:
    """The link to offer a member the hub cannot write to privately yet, if the platform has one."""
    capabilities = turn.capabilities(event.platform)
    if capabilities is None or not capabilities.private_needs_opt_in:
        return None
    if turn.uow.members.private_chat_open(event.actor):
        return None
    return capabilities.private_chat_link
