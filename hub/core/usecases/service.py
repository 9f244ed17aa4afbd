"""The hub's use cases: handle an inbound event, run a ritual occurrence.

Each runs in one transaction: ritual state, records and the outbox commit together. They return
the ids of deliveries to hand to the sender; a crash before that is repaired by the sweeper.
Within it, each ritual's decision is carried out in a savepoint, so a ritual that raises loses
only its own work; an occurrence counts its attempts (`hub.core.usecases.occurrences`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hub.core.model.community import CommunityRuntime, EnabledRitual, split_occurrence_name
from hub.core.model.deliveries import DeliveryState
from hub.core.model.events import (
    ButtonClicked,
    DeliveryReported,
    Event,
    MemberForgotten,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    OptedIn,
    OptedOut,
)
from hub.core.model.ritual import (
    NOTHING,
    Directory,
    Effect,
    FireRitual,
    Occurrence,
    RepliedTo,
    Ritual,
    RitualContext,
    RitualResult,
)
from hub.core.model.templates import TemplateError
from hub.core.ports import Renderer
from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, OccurrenceRow, ProcessedEventRow
from hub.core.storage.sql import insert_if_absent
from hub.core.storage.unit_of_work import SqlUnitOfWork
from hub.core.usecases import effects, occurrences, planning, ritual_state
from hub.core.usecases.causes import (
    Audience,
    Cause,
    Ran,
    audience_of,
    on_event,
    ritual_context,
    ritual_failed,
    signalled_member,
    text_failed,
)
from hub.core.usecases.inbox import NotYet
from hub.core.usecases.members import (
    SqlDirectory,
    join_space,
    leave_space,
    mark_private_chat_open,
    mark_unreachable,
    private_chat_open,
    resolve_member,
    set_opted_out,
)
from hub.core.usecases.ritual_state import StateModels

log = structlog.get_logger(__name__)

# A bare number answers the numbered choices of the last message that offered some, for this long.
CHOICES_VALID_FOR = timedelta(days=7)
_CHOICE = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
# A platform's report on a message can beat the worker's record of sending it: retry that long.
REPORT_RACE = timedelta(minutes=10)
MAX_FOLLOW_UP_DEPTH = 2  # a signal may cause a signal (a badge after points), not a loop
_STATUS_RANK = {"queued": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


class DeliveryNotYetRecorded(NotYet):
    """A platform reported on a message whose sending is not committed yet: try again soon."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Preview:
    """One delivery a dry run would have planned."""

    platform: str
    space: str | None
    address: str
    private: bool
    part: int
    payload: dict[str, object]
    state: str = DeliveryState.QUEUED.value
    note: str | None = None
    """Why the delivery is not simply queued (held or skipped for a reply window)."""


class HubService:
    """Runs rituals for every community and writes their outbox."""

    def __init__(
        self,
        database: Database,
        communities: Mapping[str, CommunityRuntime],
        renderers: Mapping[tuple[str, str], Renderer],
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.database = database
        self.communities = communities
        self.renderers = renderers
        self.clock = clock

    def handle_event(self, event: Event) -> list[int]:
        """Run every enabled ritual on an inbound event, once, however often it is delivered."""
        runtime = self.communities.get(event.community_id)
        if runtime is None:
            log.warning("event.unknown_community", community=event.community_id)
            return []
        now = self.clock()
        with self.database.transaction() as session:
            if not _first_time(session, event, now):
                log.info("event.duplicate", event_id=event.event_id, platform=event.platform)
                return []
            if isinstance(event, DeliveryReported):
                self._record_report(session, event, now)
                return []
            member = resolve_member(session, runtime.community.id, event.actor, now)
            if event.space is None:
                mark_private_chat_open(session, runtime.community.id, event.actor)
            released = self._track_presence(session, runtime, event, now)
            event = _as_choice(session, self._capable_of_buttons(runtime, event), event, now)
            cause = Cause(
                key=f"event:{event.platform}:{event.event_id}",
                seed=event.event_id,
                member=member,
                actor=event.actor,
                replied_to=_replied_to(session, event),
                private_link=self._private_link(session, runtime, event),
            )
            return released + self._run_all(
                session, runtime, runtime.rituals, cause, now, on_event(event)
            )

    def _capable_of_buttons(self, runtime: CommunityRuntime, event: Event) -> bool:
        renderer = self.renderers.get((runtime.community.id, event.platform))
        return renderer is None or renderer.capabilities.buttons

    def _track_presence(
        self, session: Session, runtime: CommunityRuntime, event: Event, now: datetime
    ) -> list[int]:
        """Keep space memberships and opt-outs, and send what was held for this member."""
        community_id, actor = runtime.community.id, event.actor
        if isinstance(event, MemberJoined) and event.space is not None:
            join_space(session, community_id, event.space, actor, now)
        elif isinstance(event, MemberLeft) and event.space is not None:
            leave_space(session, community_id, event.space, actor)
        elif isinstance(event, OptedIn):
            set_opted_out(session, community_id, actor, None)
        elif isinstance(event, OptedOut):
            set_opted_out(session, community_id, actor, now)
            skipped = planning.skip_pending(
                session, community_id, event.platform, actor.user_id, "the member opted out", now
            )
            log.info("member.opted_out", platform=event.platform, skipped=skipped)
            return []
        renderer = self.renderers.get((community_id, event.platform))
        keep = renderer.capabilities.hold_outside_window if renderer else None
        if keep is None:
            return []
        return planning.release_held(
            session, community_id, event.platform, actor.user_id, now, keep
        )

    def _record_report(self, session: Session, event: DeliveryReported, now: datetime) -> None:
        """Update the delivery the platform reported on; statuses only move forward."""
        row = _sent_as(session, event.community_id, event.platform, event.message_id)
        if row is None:
            if now - event.occurred_at < REPORT_RACE:
                raise DeliveryNotYetRecorded(event.message_id)
            log.info("delivery_report.unknown", platform=event.platform, status=event.status)
            return
        if _STATUS_RANK[event.status] <= _STATUS_RANK.get(row.platform_status or "queued", 0):
            return
        row.platform_status, row.updated_at = event.status, now
        if event.status == "failed":
            self._report_failure(session, row, event)

    def _report_failure(self, session: Session, row: DeliveryRow, event: DeliveryReported) -> None:
        renderer = self.renderers.get((row.community_id, row.platform))
        holds = renderer is not None and renderer.capabilities.hold_outside_window is not None
        row.last_error = (event.reason or "failed")[:2000]
        if event.outside_window and holds:
            row.state, row.platform_message_id = DeliveryState.HELD.value, None
            row.last_error += " (held until the member writes again)"
            return
        row.state, row.permanent = DeliveryState.FAILED.value, True
        if event.recipient_unreachable and row.member_id is not None:
            mark_unreachable(session, row.member_id, row.platform, row.last_error)
        log.warning("delivery.failed", id=row.id, platform=row.platform, reason=row.last_error)

    def _private_link(
        self, session: Session, runtime: CommunityRuntime, event: Event
    ) -> str | None:
        """The link to offer a member the hub cannot write to privately yet, if the platform has one."""
        renderer = self.renderers.get((runtime.community.id, event.platform))
        if renderer is None or not renderer.capabilities.private_needs_opt_in:
            return None
        if private_chat_open(session, runtime.community.id, event.actor):
            return None
        return renderer.capabilities.private_chat_link

    def run_occurrence(self, occurrence_id: int) -> list[int]:
        """Run a claimed occurrence; running it again does nothing. A failure is re-raised for
        the queue to retry, until its last attempt (`occurrences.MAX_ATTEMPTS`): then [] ."""
        if not occurrences.begin_attempt(self.database, occurrence_id, self.clock()):
            return []
        try:
            return self._attempt_occurrence(occurrence_id)
        except Exception as error:
            if occurrences.record_failure(self.database, occurrence_id, error, self.clock()):
                return []
            raise

    def _attempt_occurrence(self, occurrence_id: int) -> list[int]:
        now = self.clock()
        with self.database.transaction() as session:
            row = session.scalars(
                select(OccurrenceRow).where(OccurrenceRow.id == occurrence_id).with_for_update()
            ).one_or_none()
            if row is None or row.state != "claimed":
                return []
            runtime = self.communities.get(row.community_id)
            enabled = runtime.ritual(row.ritual) if runtime else None
            row.state, row.done_at = "done", now
            if runtime is None or enabled is None:
                log.warning(
                    "occurrence.unknown_ritual", community=row.community_id, ritual=row.ritual
                )
                return []
            return self._run_occurrence(session, runtime, enabled, row, now)

    def preview_occurrence(self, community_id: str, ritual: str) -> list[Preview]:
        """What firing `ritual` now would send, rendered per destination; nothing is kept."""
        runtime = self.communities[community_id]
        enabled = runtime.ritual(ritual)
        if enabled is None:
            raise KeyError(ritual)
        now = self.clock()
        with self.database.rehearsal() as session:
            row = OccurrenceRow(
                community_id=community_id,
                ritual=ritual,
                scheduled_at=now,
                claimed_by="manual",
                claimed_at=now,
            )
            session.add(row)
            session.flush()
            cause_key = f"preview:{row.id}"
            ids = self._run_occurrence(session, runtime, enabled, row, now, cause_key)
            del ids  # held and skipped deliveries are shown too
            rows = session.scalars(
                select(DeliveryRow)
                .where(DeliveryRow.idempotency_key.startswith(f"{cause_key}|", autoescape=True))
                .order_by(DeliveryRow.id)
            )
            return [
                Preview(
                    platform=d.platform,
                    space=d.space,
                    address=d.address,
                    private=d.private,
                    part=d.part,
                    payload=d.payload,
                    state=d.state,
                    note=d.last_error,
                )
                for d in rows
            ]

    def _run_all(
        self,
        session: Session,
        runtime: CommunityRuntime,
        rituals: tuple[EnabledRitual, ...],
        cause: Cause,
        now: datetime,
        decide: Callable[[Ritual, RitualContext], RitualResult],
        depth: int = 0,
        strict: bool = False,
    ) -> list[int]:
        """Run `rituals` on one cause, then what they signalled. A ritual that raises loses its
        own work only (a savepoint), unless `strict` (an occurrence's failure is its own);
        database errors always end the whole transaction, for it to be retried."""
        ids: list[int] = []
        follow_ups: list[Event] = []
        audience = audience_of(runtime, cause)
        directory = SqlDirectory(session, runtime.community.id, _models(runtime))
        for enabled in rituals:
            try:
                ran = self._run_one(
                    session, runtime, enabled, cause, now, decide, audience, directory
                )
            except TemplateError as error:  # an owner's text: the other rituals still run
                text_failed(enabled.name, cause.key, error)
                continue
            except DBAPIError:
                raise
            except Exception as error:
                if strict:
                    raise
                ritual_failed(enabled.name, cause.key, error)
                ran = Ran(changed_members=True)
            ids += ran.ids
            follow_ups += ran.follow_ups
            if ran.changed_members:  # the next ritual reads members afresh
                directory = SqlDirectory(session, runtime.community.id, _models(runtime))
        return ids + self._follow_up(session, runtime, cause, now, follow_ups, depth)

    def _run_one(
        self,
        session: Session,
        runtime: CommunityRuntime,
        enabled: EnabledRitual,
        cause: Cause,
        now: datetime,
        decide: Callable[[Ritual, RitualContext], RitualResult],
        audience: Audience,
        directory: Directory,
    ) -> Ran:
        """One ritual's decision, carried out in a savepoint: all of it stays, or none."""
        uow = SqlUnitOfWork(session, runtime.community.id)
        state = ritual_state.load(uow, enabled.ritual)
        ctx = ritual_context(runtime, enabled, cause, state, now, directory, audience)
        result = decide(enabled.ritual, ctx)
        if result == NOTHING:  # most rituals ignore most events: spare the savepoint
            return Ran()
        ran = Ran(changed_members=bool(result.effects))
        with session.begin_nested():
            if result.state is not None:
                ritual_state.save(uow, enabled.name, result.state, now)
            uow.records.add(enabled.name, result.records, now)
            for message in result.outbound:
                ran.ids += planning.plan(
                    session,
                    runtime,
                    self.renderers,
                    ritual=enabled.name,
                    cause=cause.key,
                    outbound=message,
                    now=now,
                )
            for effect in result.effects:
                ran.ids += self._apply(
                    session, runtime, enabled.name, cause, effect, now, ran.follow_ups
                )
        return ran

    def _follow_up(
        self,
        session: Session,
        runtime: CommunityRuntime,
        cause: Cause,
        now: datetime,
        follow_ups: list[Event],
        depth: int,
    ) -> list[int]:
        """Let every ritual hear what the rituals signalled, to MAX_FOLLOW_UP_DEPTH: past it a
        chain is dropped (two rituals signalling each other would never end)."""
        if follow_ups and depth >= MAX_FOLLOW_UP_DEPTH:
            for event in follow_ups:
                log.warning("ritual.follow_up_dropped", chain=event.event_id, depth=depth + 1)
            return []
        ids: list[int] = []
        for event in follow_ups:
            member = signalled_member(session, event)
            then = replace(cause, key=event.event_id, member=member, actor=None, replied_to=None)
            ids += self._run_all(
                session, runtime, runtime.rituals, then, now, on_event(event), depth + 1
            )
        return ids

    def _apply(
        self,
        session: Session,
        runtime: CommunityRuntime,
        ritual: str,
        cause: Cause,
        effect: Effect,
        now: datetime,
        follow_ups: list[Event],
    ) -> list[int]:
        """Carry out a ritual's effect; what rituals must hear of it joins `follow_ups`."""
        if isinstance(effect, FireRitual):
            return self._fire(session, runtime, effect.ritual, now)
        uow = SqlUnitOfWork(session, runtime.community.id)
        step = effects.Step(ritual=ritual, cause=cause.key, now=now, models=_models(runtime))
        events = effects.apply(uow, effect, step)
        follow_ups.extend(events)
        ids: list[int] = []
        for follow_up in events:
            if isinstance(follow_up, MemberForgotten):
                ids += self._erase_copies(session, runtime, ritual, cause.key, follow_up, now)
        return ids

    def _erase_copies(
        self,
        session: Session,
        runtime: CommunityRuntime,
        ritual: str,
        cause: str,
        forgotten: MemberForgotten,
        now: datetime,
    ) -> list[int]:
        """Where a platform's copy of the member lives in the hub's own store (the webchat's
        Redis), forget-me reaches it too: one erasure per such account, through the outbox."""
        ids: list[int] = []
        for account in forgotten.accounts:
            renderer = self.renderers.get((runtime.community.id, account.platform))
            if renderer is not None and renderer.capabilities.keeps_member_data:
                ids += planning.plan_erasure(
                    session, runtime, ritual=ritual, cause=cause, account=account, now=now
                )
        return ids

    def _fire(
        self, session: Session, runtime: CommunityRuntime, ritual: str, now: datetime
    ) -> list[int]:
        """An owner's `/hub run RITUAL`: a manual occurrence, run in this transaction."""
        enabled = runtime.ritual(ritual)
        if enabled is None:
            return []
        row = OccurrenceRow(
            community_id=runtime.community.id,
            ritual=ritual,
            scheduled_at=now,
            state="done",
            claimed_by="manual",
            claimed_at=now,
            done_at=now,
        )
        session.add(row)
        session.flush()
        return self._run_occurrence(session, runtime, enabled, row, now)

    def _run_occurrence(
        self,
        session: Session,
        runtime: CommunityRuntime,
        enabled: EnabledRitual,
        row: OccurrenceRow,
        now: datetime,
        cause_key: str | None = None,
    ) -> list[int]:
        """Run one occurrence row's ritual (its slot named by the row) in this transaction."""
        name, slot = split_occurrence_name(row.ritual)
        manual = row.claimed_by == "manual"
        occurrence = Occurrence(
            id=row.id, ritual=name, scheduled_at=row.scheduled_at, manual=manual, slot=slot
        )
        cause = Cause(
            key=cause_key or occurrence.cause,
            seed=f"{row.community_id}:{row.ritual}:{row.scheduled_at}",
        )
        return self._run_all(
            session,
            runtime,
            (enabled,),
            cause,
            now,
            lambda r, ctx: r.on_occurrence(ctx, occurrence),
            strict=True,
        )


def _models(runtime: CommunityRuntime) -> StateModels:
    """The state models of the community's rituals, whose member records the core rewrites."""
    return {enabled.name: enabled.ritual.state_model for enabled in runtime.rituals}


def _first_time(session: Session, event: Event, now: datetime) -> bool:
    return insert_if_absent(
        session,
        ProcessedEventRow.__table__,  # type: ignore[arg-type]
        {"community_id": event.community_id, "event_id": event.event_id, "received_at": now},
    )


def _as_choice(session: Session, has_buttons: bool, event: Event, now: datetime) -> Event:
    """On platforms without buttons, a bare number picks one of the numbered choices the hub
    last offered this member (a poll's options): the press of that button."""
    if has_buttons or not isinstance(event, MessageReceived):
        return event
    number = _CHOICE.match(event.text)
    if number is None:
        return event
    offer = session.scalars(
        select(DeliveryRow)
        .where(
            DeliveryRow.community_id == event.community_id,
            DeliveryRow.platform == event.platform,
            DeliveryRow.address == event.actor.user_id,
            DeliveryRow.state == DeliveryState.SENT.value,
            DeliveryRow.sent_at >= now - CHOICES_VALID_FOR,
        )
        .order_by(DeliveryRow.sent_at.desc(), DeliveryRow.id.desc())
    )
    for row in offer:
        choices = row.payload.get("choices")
        if not choices:
            continue
        index = int(number.group(1)) - 1
        if not 0 <= index < len(choices):
            return event
        action, value = choices[index]
        return ButtonClicked(
            event_id=event.event_id,
            community_id=event.community_id,
            platform=event.platform,
            space=event.space,
            actor=event.actor,
            occurred_at=event.occurred_at,
            action=str(action),
            value=str(value),
            message_id=row.platform_message_id,
        )
    return event


def _sent_as(
    session: Session, community_id: str, platform: str, message_id: str
) -> DeliveryRow | None:
    """The delivery that became the platform's message `message_id`."""
    return session.scalars(
        select(DeliveryRow).where(
            DeliveryRow.community_id == community_id,
            DeliveryRow.platform == platform,
            DeliveryRow.platform_message_id == message_id,
        )
    ).first()


def _replied_to(session: Session, event: Event) -> RepliedTo | None:
    """If the member replied to one of the hub's messages, which one (by its platform id)."""
    if not isinstance(event, MessageReceived) or event.reply_to is None:
        return None
    row = _sent_as(session, event.community_id, event.platform, event.reply_to)
    if row is None:
        return None
    cause, outbound_key = row.idempotency_key.split("|")[:2]
    return RepliedTo(ritual=row.ritual, outbound_key=outbound_key, cause=cause)
