"""The hub's use cases: handle an inbound event, run a ritual occurrence.

Each runs in one transaction: ritual state, records and the outbox commit together. They return
the ids of deliveries to hand to the sender; a crash before that is repaired by the sweeper.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core import outbox
from hub.core.community import CommunityRuntime, EnabledRitual
from hub.core.domain import Member
from hub.core.events import Event, MessageReceived
from hub.core.members import mark_private_chat_open, private_chat_open, resolve_member
from hub.core.ports import Renderer
from hub.core.ritual import Occurrence, RepliedTo, Ritual, RitualContext, RitualResult
from hub.core.ritual_state import add_records, load_state_for_update, save_state
from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, OccurrenceRow, ProcessedEventRow
from hub.core.storage.sql import insert_if_absent

log = structlog.get_logger(__name__)


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


@dataclass(frozen=True, slots=True, kw_only=True)
class _Cause:
    """Why rituals run: an event or an occurrence; names deliveries for idempotency."""

    key: str
    seed: str
    member: Member | None = None
    replied_to: RepliedTo | None = None
    private_link: str | None = None


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
            member = resolve_member(session, runtime.community.id, event.actor, now)
            if event.space is None:
                mark_private_chat_open(session, runtime.community.id, event.actor)
            cause = _Cause(
                key=f"event:{event.platform}:{event.event_id}",
                seed=event.event_id,
                member=member,
                replied_to=_replied_to(session, event),
                private_link=self._private_link(session, runtime, event),
            )
            return self._run_all(
                session, runtime, runtime.rituals, cause, now, lambda r, ctx: r.on_event(ctx, event)
            )

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
        """Run a claimed occurrence; running it again does nothing."""
        now = self.clock()
        with self.database.transaction() as session:
            row = session.scalars(
                select(OccurrenceRow).where(OccurrenceRow.id == occurrence_id).with_for_update()
            ).one_or_none()
            if row is None or row.state == "done":
                return []
            runtime = self.communities.get(row.community_id)
            enabled = runtime.ritual(row.ritual) if runtime else None
            row.state, row.done_at = "done", now
            if runtime is None or enabled is None:
                log.warning(
                    "occurrence.unknown_ritual", community=row.community_id, ritual=row.ritual
                )
                return []
            occurrence = Occurrence(
                id=row.id,
                ritual=row.ritual,
                scheduled_at=row.scheduled_at,
                manual=row.claimed_by == "manual",
            )
            cause = _Cause(
                key=occurrence.cause,
                seed=f"{row.community_id}:{row.ritual}:{row.scheduled_at}",
            )
            return self._run_all(
                session,
                runtime,
                (enabled,),
                cause,
                now,
                lambda r, ctx: r.on_occurrence(ctx, occurrence),
            )

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
            occurrence = Occurrence(id=row.id, ritual=ritual, scheduled_at=now, manual=True)
            cause = _Cause(key=f"preview:{row.id}", seed=f"{community_id}:{ritual}:{now}")
            ids = self._run_all(
                session,
                runtime,
                (enabled,),
                cause,
                now,
                lambda r, ctx: r.on_occurrence(ctx, occurrence),
            )
            rows = session.scalars(
                select(DeliveryRow).where(DeliveryRow.id.in_(ids)).order_by(DeliveryRow.id)
            )
            return [
                Preview(
                    platform=d.platform,
                    space=d.space,
                    address=d.address,
                    private=d.private,
                    part=d.part,
                    payload=d.payload,
                )
                for d in rows
            ]

    def _run_all(
        self,
        session: Session,
        runtime: CommunityRuntime,
        rituals: tuple[EnabledRitual, ...],
        cause: _Cause,
        now: datetime,
        decide: Callable[[Ritual, RitualContext], RitualResult],
    ) -> list[int]:
        ids: list[int] = []
        for enabled in rituals:
            state_row = load_state_for_update(session, runtime.community.id, enabled.name)
            ctx = _context(runtime, enabled, cause, state_row.data, now)
            result = decide(enabled.ritual, ctx)
            if result.state is not None:
                save_state(state_row, result.state, now)
            add_records(session, runtime.community.id, enabled.name, result.records, now)
            for message in result.outbound:
                ids += outbox.plan(
                    session,
                    runtime,
                    self.renderers,
                    ritual=enabled.name,
                    cause=cause.key,
                    outbound=message,
                    now=now,
                )
        return ids


def _context(
    runtime: CommunityRuntime,
    enabled: EnabledRitual,
    cause: _Cause,
    state: dict[str, object],
    now: datetime,
) -> RitualContext:
    defaults = enabled.ritual.default_texts
    return RitualContext(
        community=runtime.community,
        config=enabled.config,
        now=now,
        rng=random.Random(f"{cause.seed}:{enabled.name}"),
        state=state,
        spaces=runtime.spaces,
        member=cause.member,
        replied_to=cause.replied_to,
        private_link=cause.private_link,
        texts=defaults.get(runtime.community.locale) or defaults["en"],
        commands=runtime.commands(),
    )


def _first_time(session: Session, event: Event, now: datetime) -> bool:
    return insert_if_absent(
        session,
        ProcessedEventRow.__table__,  # type: ignore[arg-type]
        {"community_id": event.community_id, "event_id": event.event_id, "received_at": now},
    )


def _replied_to(session: Session, event: Event) -> RepliedTo | None:
    """If the member replied to one of the hub's messages, which one (by its platform id)."""
    if not isinstance(event, MessageReceived) or event.reply_to is None:
        return None
    row = session.scalars(
        select(DeliveryRow).where(
            DeliveryRow.community_id == event.community_id,
            DeliveryRow.platform == event.platform,
            DeliveryRow.platform_message_id == event.reply_to,
        )
    ).first()
    if row is None:
        return None
    cause, outbound_key = row.idempotency_key.split("|")[:2]
    return RepliedTo(ritual=row.ritual, outbound_key=outbound_key, cause=cause)
