"""What one ritual's failure costs, on SQLite and PostgreSQL: its own work only; an occurrence
that keeps failing ends `failed`; signals that answer each other stop at the depth limit; a
database error still undoes everything, for the whole event to be retried.

The failing rituals are test-only, plugged in the way the catalogue plugs every ritual in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from pydantic import ConfigDict
from sqlalchemy import func, select
from structlog.testing import capture_logs

from hub.bootstrap import Hub, ritual_catalogue
from hub.core.model.community import CommunityRuntime, build_runtime
from hub.core.model.domain import Identity
from hub.core.model.events import Event, MemberJoined, MessageReceived, RitualSignalled
from hub.core.model.member_records import RitualState
from hub.core.model.messages import Outbound, SpaceTarget
from hub.core.model.richtext import parse_markup
from hub.core.model.ritual import (
    NOTHING,
    Occurrence,
    Record,
    Ritual,
    RitualContext,
    RitualResult,
    Signal,
)
from hub.core.storage.orm import (
    DeliveryRow,
    OccurrenceRow,
    ProcessedEventRow,
    RitualRecordRow,
    RitualStateRow,
)
from hub.core.storage.repositories.attempts import SqlOccurrenceAttempts
from hub.core.storage.repositories.scheduling import sql_scheduler_stores
from hub.core.usecases import occurrences
from hub.core.usecases.scheduler import REQUEUE_AFTER, Scheduler
from hub.core.usecases.service import MAX_FOLLOW_UP_DEPTH, HubService
from tests.builders import compose, write_config
from tests.core.pipeline.support import TestRitual

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ZOE = Identity(platform="webchat", user_id="u-zoe", display_name="Zoé")
COMMUNITY = "inside-freelancing"


class Flags(RitualState):
    """A test ritual's state: whatever it sets."""

    model_config = ConfigDict(extra="allow")


class _TestRitual(TestRitual):
    """A test ritual whose state keeps any flag it is given."""

    state_model: ClassVar[type[RitualState]] = Flags


class Raises(_TestRitual):
    """A bug in a ritual's decision: it raises on every event and every occurrence."""

    name = "raises"

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        raise ZeroDivisionError("a bug in the ritual")

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        raise ZeroDivisionError("a bug in the ritual")


class Half(_TestRitual):
    """A ritual whose decision fails half-way through being carried out: its state, record
    and post are written, then its last effect is one the core cannot apply."""

    name = "half"

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        if not isinstance(event, MemberJoined):
            return NOTHING
        post = Outbound(key="half", target=SpaceTarget(space="main"), body=parse_markup("half"))
        return RitualResult(
            outbound=(post,),
            state=Flags(half=True),
            records=(Record(kind="half", data={}),),
            effects=("not an effect",),  # type: ignore[arg-type]
        )


class Ping(_TestRitual):
    """Signals on "ping", and again whenever Pong signals: with Pong, a loop."""

    name = "ping"

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        heard = isinstance(event, RitualSignalled) and event.ritual == "pong"
        if not (heard or (isinstance(event, MessageReceived) and event.text == "ping")):
            return NOTHING
        return _signal(ctx, event, "pinged")


class Pong(_TestRitual):
    name = "pong"

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        if not (isinstance(event, RitualSignalled) and event.ritual == "ping"):
            return NOTHING
        return _signal(ctx, event, "ponged")


class KeepsAStranger(_TestRitual):
    """Keeps a record about a member who does not exist: the database refuses it."""

    name = "stranger"

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        return RitualResult(records=(Record(kind="x", data={}, member_id=987654),))


class CutsTheConnection(_TestRitual):
    """The database goes away while rituals decide (PostgreSQL ends every session)."""

    name = "cuts"

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        engine = sa.create_engine(self.database_url)
        with engine.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        engine.dispose()
        return RitualResult(state=Flags(cut=True))


def _signal(ctx: RitualContext, event: Event, name: str) -> RitualResult:
    assert ctx.member is not None
    return RitualResult(
        records=(Record(kind=name, data={"cause": event.event_id}),),
        effects=(Signal(name=name, member_id=ctx.member.id),),
    )


def with_rituals(hub: Hub, *extra: Ritual) -> tuple[HubService, CommunityRuntime]:
    """The hub's service with `extra` rituals enabled after the community's own."""
    runtime = hub.communities[COMMUNITY]
    catalogue = {**ritual_catalogue(), **{r.name: r for r in extra}}
    runtime = build_runtime(runtime.config, catalogue)
    communities = {COMMUNITY: runtime}
    wiring = replace(hub.service.wiring, communities=communities, clock=lambda: NOW)
    service = HubService(wiring)
    return service, runtime


def joined(event_id: str = "join-1") -> MemberJoined:
    return MemberJoined(
        event_id=event_id,
        community_id=COMMUNITY,
        platform="webchat",
        space="main",
        actor=ZOE,
        occurred_at=NOW,
    )


def said(text: str, event_id: str = "msg-1") -> MessageReceived:
    return MessageReceived(
        event_id=event_id,
        community_id=COMMUNITY,
        platform="webchat",
        space="main",
        actor=ZOE,
        occurred_at=NOW,
        text=text,
        message_id=f"{event_id}-id",
    )


def count(hub: Hub, table: Any, *where: Any) -> int:
    with hub.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def test_a_ritual_that_raises_loses_only_its_own_work(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    service, runtime = with_rituals(hub, Half(), Raises())
    assert [r.name for r in runtime.rituals][-2:] == ["half", "raises"]  # after welcome's work
    with capture_logs() as logs:
        ids = service.handle_event(joined())
    with hub.database.transaction() as session:
        rows = session.scalars(select(DeliveryRow).where(DeliveryRow.id.in_(ids))).all()
        assert sorted((r.ritual, r.address) for r in rows) == [
            ("welcome", "salon"),
            ("welcome", "u-zoe"),
        ]
        assert session.scalar(select(func.count()).select_from(DeliveryRow)) == 2
        states = {r.ritual: r.data for r in session.scalars(select(RitualStateRow))}
        assert len(states["welcome"]["greeted"]) == 1
        assert states["half"] == {}  # its state, record and post were undone together
        assert session.scalar(select(func.count()).select_from(RitualRecordRow)) == 0
    failed = [e for e in logs if e["event"] == "ritual.failed"]
    assert [(e["ritual"], e["error"]) for e in failed] == [
        ("half", "TypeError"),
        ("raises", "ZeroDivisionError"),
    ]
    assert all(e["cause"] == "event:webchat:join-1" and e["exc_info"] for e in failed)
    assert service.handle_event(joined()) == []  # the event is handled: not retried


def test_an_occurrence_whose_ritual_always_raises_ends_failed_after_its_cap(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    service, runtime = with_rituals(hub, Raises())
    later = {"now": NOW}
    scheduler = Scheduler(
        sql_scheduler_stores(hub.database), {COMMUNITY: runtime}, "test", clock=lambda: later["now"]
    )
    occurrence = scheduler.fire_now(COMMUNITY, "raises")
    later["now"] = NOW + REQUEUE_AFTER * 2
    for _ in range(occurrences.MAX_ATTEMPTS - 1):
        assert scheduler.stale_occurrences() == [occurrence]  # sent again while it may run
        with pytest.raises(ZeroDivisionError):
            service.run_occurrence(occurrence)
    with capture_logs() as logs:
        assert service.run_occurrence(occurrence) == []  # the last attempt: no more retries
    with hub.database.transaction() as session:
        row = session.get_one(OccurrenceRow, occurrence)
        assert (row.state, row.attempts) == ("failed", occurrences.MAX_ATTEMPTS)
        assert row.last_error == "ZeroDivisionError: a bug in the ritual"
    assert [e["ritual"] for e in logs if e["event"] == "occurrence.failed"] == ["raises"]
    assert scheduler.stale_occurrences() == []
    assert service.run_occurrence(occurrence) == []  # a late queue message does nothing
    assert count(hub, OccurrenceRow, OccurrenceRow.attempts > occurrences.MAX_ATTEMPTS) == 0


def test_an_occurrence_whose_attempts_died_unrecorded_is_failed_not_rerun(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    """A worker killed mid-run records nothing: the attempts counted before running stop it."""
    hub = compose(write_config(tmp_path), database_url, redis_url)
    service, runtime = with_rituals(hub)
    scheduler = Scheduler(
        sql_scheduler_stores(hub.database), {COMMUNITY: runtime}, "test", clock=lambda: NOW
    )
    occurrence = scheduler.fire_now(COMMUNITY, "icebreaker")
    for _ in range(occurrences.MAX_ATTEMPTS):  # each attempt counted, then the worker died
        assert occurrences.begin_attempt(SqlOccurrenceAttempts(hub.database), occurrence, NOW)
    assert service.run_occurrence(occurrence) == []
    with hub.database.transaction() as session:
        row = session.get_one(OccurrenceRow, occurrence)
        assert row.state == "failed"
        assert row.last_error == "every attempt ended before it could be recorded"
    assert count(hub, DeliveryRow) == 0


def test_an_occurrence_that_succeeds_counts_one_attempt_and_runs_once(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    occurrence = hub.scheduler().fire_now(COMMUNITY, "icebreaker")
    assert len(hub.service.run_occurrence(occurrence)) == 2
    assert hub.service.run_occurrence(occurrence) == []
    with hub.database.transaction() as session:
        row = session.get_one(OccurrenceRow, occurrence)
        assert (row.state, row.attempts, row.last_error) == ("done", 1, None)


def test_signals_that_answer_each_other_stop_at_the_depth_limit(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    service, _ = with_rituals(hub, Ping(), Pong())
    with capture_logs() as logs:
        service.handle_event(said("ping"))
    with hub.database.transaction() as session:
        kinds = [r.kind for r in session.scalars(select(RitualRecordRow).order_by("id"))]
    assert kinds == ["pinged", "ponged", "pinged"][: MAX_FOLLOW_UP_DEPTH + 1]
    (dropped,) = [e for e in logs if e["event"] == "ritual.follow_up_dropped"]
    assert dropped["chain"] == ("event:webchat:msg-1:ping:pinged:pong:ponged:ping:pinged")
    assert dropped["log_level"] == "warning"
    assert not [e for e in logs if e["event"] == "ritual.failed"]


def test_a_database_error_undoes_every_ritual_and_is_raised(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    service, _ = with_rituals(hub, KeepsAStranger())
    with pytest.raises(sa.exc.IntegrityError):
        service.handle_event(joined())
    assert count(hub, DeliveryRow) == 0  # welcome's work went with it
    assert count(hub, ProcessedEventRow) == 0  # so the event is handled again on retry
    assert count(hub, RitualStateRow) == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # ends its session
def test_the_database_going_away_mid_event_is_raised_for_a_retry(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    service, _ = with_rituals(hub, CutsTheConnection(database_url))
    with pytest.raises(sa.exc.OperationalError):
        service.handle_event(joined())
    assert count(hub, DeliveryRow) == 0
    assert count(hub, ProcessedEventRow) == 0
    hub.database.dispose()
