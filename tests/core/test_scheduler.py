"""Occurrences are claimed once, even by two schedulers at once; downtime is handled by grace."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, text, update
from sqlalchemy.exc import DBAPIError
from structlog.testing import capture_logs

from hub.core.model.domain import Identity
from hub.core.model.events import MessageReceived
from hub.core.storage.orm import DeliveryRow, OccurrenceRow
from hub.core.storage.repositories.scheduling import sql_scheduler_stores
from hub.core.usecases.scheduler import REQUEUE_AFTER, Scheduler, upcoming
from hub.core.usecases.sending import LEASE
from tests.builders import compose, write_config

MONDAY_9_PARIS = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Paris (UTC+1)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def test_two_schedulers_running_side_by_side_fire_each_occurrence_once(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    other = compose(write_config(tmp_path), database_url, redis_url, upgrade=False)
    won: list[list[int]] = []
    start = threading.Barrier(2)

    def run(scheduler: Scheduler) -> None:
        start.wait()
        for minute in range(5):
            scheduler.clock = at(MONDAY_9_PARIS + timedelta(minutes=minute))
            won.append(scheduler.claim_due())

    threads = [
        threading.Thread(
            target=run, args=(Scheduler(sql_scheduler_stores(h.database), h.communities, name),)
        )
        for h, name in ((hub, "a"), (other, "b"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fired = [occurrence for batch in won for occurrence in batch]
    assert len(fired) == 1
    with hub.database.transaction() as session:
        (row,) = session.scalars(select(OccurrenceRow)).all()
        assert row.scheduled_at == MONDAY_9_PARIS


def test_missed_occurrences_inside_the_grace_period_fire_once_after_downtime(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    back_up = MONDAY_9_PARIS + timedelta(minutes=40)
    assert len(hub.scheduler(clock=at(back_up)).claim_due()) == 1
    assert hub.scheduler(clock=at(back_up + timedelta(minutes=1))).claim_due() == []


def test_missed_occurrences_older_than_the_grace_period_are_skipped_and_logged(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    hub.scheduler(
        clock=at(MONDAY_9_PARIS - timedelta(days=7, minutes=-1))
    ).claim_due()  # last seen a week ago
    back_up = MONDAY_9_PARIS + timedelta(hours=2)
    with capture_logs() as logs:
        assert hub.scheduler(clock=at(back_up)).claim_due() == []
    with hub.database.transaction() as session:
        states = {r.scheduled_at: r.state for r in session.scalars(select(OccurrenceRow))}
    assert states[MONDAY_9_PARIS] == "skipped"
    assert [log["scheduled_at"] for log in logs if log["event"] == "occurrence.skipped"] == [
        MONDAY_9_PARIS.isoformat()
    ]


def test_a_first_start_does_not_replay_the_past(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    assert hub.scheduler(clock=at(MONDAY_9_PARIS + timedelta(hours=3))).claim_due() == []


def test_upcoming_lists_occurrences_in_local_time_across_the_spring_change(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    found = upcoming(hub.communities, datetime(2026, 3, 20, tzinfo=UTC), days=14)
    assert [o.at for o in found] == [
        datetime(2026, 3, 23, 8, 0, tzinfo=UTC),  # 09:00 CET
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),  # 09:00 CEST, after the change on the 29th
    ]


def test_stale_claims_and_deliveries_are_found_for_requeueing(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    scheduler = hub.scheduler(clock=at(MONDAY_9_PARIS))
    (occurrence,) = scheduler.claim_due()
    later = Scheduler(
        sql_scheduler_stores(hub.database),
        hub.communities,
        "later",
        clock=at(MONDAY_9_PARIS + timedelta(minutes=5)),
    )
    assert later.stale_occurrences() == [occurrence]
    hub.service.clock = at(MONDAY_9_PARIS)
    deliveries = hub.service.run_occurrence(occurrence)
    assert later.stale_occurrences() == []
    assert later.stale_deliveries().ids == sorted(deliveries)


SLOTS_YAML = """
community: {id: inside-freelancing, name: Inside Freelancing, timezone: Europe/Paris, locale: fr}
platforms:
  webchat: {spaces: {main: salon}}
rituals:
  points: {leaderboard_schedule: "0 9 * * MON"}
  shoutout: {schedule: "0 9 * * MON"}
"""


def test_a_second_schedule_of_a_ritual_is_its_own_occurrence_told_apart_by_its_slot(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path, SLOTS_YAML), database_url, redis_url)
    found = upcoming(hub.communities, MONDAY_9_PARIS - timedelta(hours=1), days=1)
    assert sorted(o.ritual for o in found) == ["points:leaderboard", "shoutout"]
    claimed = hub.scheduler(clock=at(MONDAY_9_PARIS + timedelta(seconds=5))).claim_due()
    assert len(claimed) == 2  # same minute, two rituals: two occurrences, each once
    with hub.database.transaction() as session:
        names = session.scalars(select(OccurrenceRow.ritual).order_by(OccurrenceRow.ritual))
        assert list(names) == ["points:leaderboard", "shoutout"]
    zoe = Identity(platform="webchat", user_id="u-zoe", display_name="Zoé")
    hub.service.clock = at(MONDAY_9_PARIS - timedelta(days=1))
    hub.service.handle_event(
        MessageReceived(
            event_id="m1",
            community_id="inside-freelancing",
            platform="webchat",
            space="main",
            actor=zoe,
            occurred_at=MONDAY_9_PARIS - timedelta(days=1),
            text="Bonjour !",
            message_id="1-1",
        )
    )
    hub.service.clock = at(MONDAY_9_PARIS + timedelta(seconds=5))
    posted = [i for o in claimed for i in hub.service.run_occurrence(o)]
    with hub.database.transaction() as session:
        rituals = session.scalars(select(DeliveryRow.ritual).where(DeliveryRow.id.in_(posted)))
        assert list(rituals) == ["points"]  # last week's leaderboard; no shout-out to round up


def test_a_requeue_is_won_once_and_never_against_a_worker_that_took_the_delivery(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    (occurrence,) = hub.scheduler(clock=at(MONDAY_9_PARIS)).claim_due()
    hub.service.clock = at(MONDAY_9_PARIS)
    taken, lost = sorted(hub.service.run_occurrence(occurrence))
    minute_on = at(MONDAY_9_PARIS + timedelta(minutes=1))
    one, other = (
        Scheduler(sql_scheduler_stores(hub.database), hub.communities, n, clock=minute_on)
        for n in "ab"
    )
    seen_by_one, seen_by_other = one.stale_deliveries(), other.stale_deliveries()
    assert seen_by_one.ids == seen_by_other.ids == [taken, lost]
    hub.delivery.store.claim(taken, MONDAY_9_PARIS + timedelta(minutes=1), LEASE)

    assert one.requeue_deliveries(seen_by_one, [taken, lost]) == [lost]
    assert other.requeue_deliveries(seen_by_other, [taken, lost]) == []
    assert one.stale_deliveries().ids == []  # both were touched a moment ago


def test_only_idle_deliveries_that_should_be_moving_are_candidates(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    (occurrence,) = hub.scheduler(clock=at(MONDAY_9_PARIS)).claim_due()
    hub.service.clock = at(MONDAY_9_PARIS)
    first, second = sorted(hub.service.run_occurrence(occurrence))

    def candidates(seconds_on: float) -> list[int]:
        clock = at(MONDAY_9_PARIS + timedelta(seconds=seconds_on))
        return (
            Scheduler(sql_scheduler_stores(hub.database), hub.communities, "s", clock=clock)
            .stale_deliveries()
            .ids
        )

    assert candidates(REQUEUE_AFTER.total_seconds() - 1) == []  # its enqueue may be under way
    assert candidates(REQUEUE_AFTER.total_seconds() + 1) == [first, second]
    for state in ("waiting", "held", "sent", "failed", "skipped", "uncertain"):
        set_delivery(hub, first, state=state)
        assert candidates(60) == [second], state
    slot = MONDAY_9_PARIS + timedelta(seconds=30)  # a paced delivery owns a slot then
    set_delivery(hub, second, state="queued", lease_until=slot)
    assert candidates(30) == []
    assert candidates(30 + REQUEUE_AFTER.total_seconds() + 1) == [second]


def set_delivery(hub: Any, delivery_id: int, **values: object) -> None:
    with hub.database.transaction() as session:
        session.execute(update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values))


EVERY_MINUTE_YAML = """
community: {id: every-minute, name: Every Minute, timezone: Europe/Paris, locale: en}
scheduler: {grace_period: 1h}
platforms:
  webchat: {spaces: {main: salon}}
rituals:
  icebreaker: {schedule: "* * * * *", spaces: [main], questions: ["How are you?"]}
"""


def test_a_fresh_database_fires_one_occurrence_of_an_every_minute_cron_not_sixty(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path, EVERY_MINUTE_YAML), database_url, redis_url)
    now = MONDAY_9_PARIS + timedelta(minutes=40, seconds=30)
    scheduler = hub.scheduler(clock=at(now))
    assert len(scheduler.claim_due()) == 1
    scheduler.clock = at(now + timedelta(minutes=1))
    assert len(scheduler.claim_due()) == 1
    with hub.database.transaction() as session:
        fired = list(session.scalars(select(OccurrenceRow.scheduled_at)))
    assert sorted(fired) == [now.replace(second=0), now.replace(second=0) + timedelta(minutes=1)]


def community_folder(directory: Path, count: int) -> Path:
    folder = directory / "communities"
    folder.mkdir()
    for index in range(count):
        yaml = COMMUNITY_YAML_WEEKLY.replace("ID", f"c{index}")
        write_config(folder, yaml, name=f"c{index}.yaml")
    return folder


COMMUNITY_YAML_WEEKLY = """
community: {id: ID, name: Community, timezone: Europe/Paris, locale: en}
platforms:
  webchat: {spaces: {main: salon}}
rituals:
  icebreaker: {schedule: "0 9 * * MON", spaces: [main], questions: ["How are you?"]}
  points: {leaderboard_schedule: "0 9 * * TUE", spaces: [main]}
"""


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs."""
    sent: list[str] = []

    def record(*args: object) -> None:
        sent.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_tick_costs_what_is_due_not_the_number_of_schedules(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(community_folder(tmp_path, 20), database_url, redis_url)
    scheduler = hub.scheduler(clock=at(MONDAY_9_PARIS - timedelta(hours=1)))
    with statements(hub.database.engine) as first:
        assert scheduler.claim_due() == []
    assert len([s for s in first if "occurrences" in s]) == 1  # one read for all 40 schedules
    scheduler.clock = at(MONDAY_9_PARIS - timedelta(minutes=30))
    with statements(hub.database.engine) as idle:
        assert scheduler.claim_due() == []
    assert idle == []
    scheduler.clock = at(MONDAY_9_PARIS + timedelta(seconds=5))
    assert len(scheduler.claim_due()) == 20  # every icebreaker, once; no leaderboard yet
    scheduler.clock = at(MONDAY_9_PARIS + timedelta(minutes=1))
    with statements(hub.database.engine) as idle:
        assert scheduler.claim_due() == []
    assert idle == []


def test_an_occurrence_whose_claim_failed_is_claimed_on_the_next_tick(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    scheduler = hub.scheduler(clock=at(MONDAY_9_PARIS - timedelta(minutes=1)))
    assert scheduler.claim_due() == []
    scheduler.clock = at(MONDAY_9_PARIS + timedelta(seconds=5))
    with hub.database.transaction() as session:
        session.execute(text("ALTER TABLE occurrences RENAME TO occurrences_away"))
    with pytest.raises(DBAPIError):
        scheduler.claim_due()
    with hub.database.transaction() as session:
        session.execute(text("ALTER TABLE occurrences_away RENAME TO occurrences"))
    scheduler.clock = at(MONDAY_9_PARIS + timedelta(seconds=15))
    assert len(scheduler.claim_due()) == 1


def test_an_idle_tick_reads_through_indexes_and_retention_once_through_their_time_bound(
    tmp_path: Path, redis_url: str
) -> None:
    hub = compose(community_folder(tmp_path, 3), f"sqlite:///{tmp_path / 'hub.db'}", redis_url)
    scheduler = hub.scheduler()
    scheduler.claim_due()
    with statements(hub.database.engine) as sweeps:
        scheduler.claim_due()
        scheduler.stale_occurrences()
        scheduler.stale_inbox()
    with statements(hub.database.engine) as retention:
        scheduler.prune_due()
    plans = {sql: plan_of(hub.database.engine, sql) for sql in sweeps + retention}
    assert not [sql for sql, plan in plans.items() if any(p.startswith("SCAN") for p in plan)]
    selects = [sql for sql in retention if sql.startswith("SELECT")]
    assert len(selects) == 5  # three communities with the same periods: one query per table
    unbounded = [sql for sql in selects if not any("<?)" in p for p in plans[sql])]
    assert unbounded == []  # an index finds the old rows of one community, or none


def plan_of(engine: Engine, sql: str) -> list[str]:
    """SQLite's query plan of `sql`, one line per step (parameters need not be bound)."""
    if not sql.startswith(("SELECT", "UPDATE", "DELETE")):
        return []
    with engine.connect() as connection:
        placeholders = sql.count("?")
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", (None,) * placeholders)
        return [str(row[-1]) for row in rows]


NEVER_YAML = """
community: {id: never, name: Never, timezone: Europe/Paris, locale: en}
platforms:
  webchat: {spaces: {main: salon}}
rituals:
  poll: {schedule: "0 9 30 2 *", spaces: [main], question: "Ever?", options: ["Yes", "No"]}
  icebreaker: {schedule: "0 9 * * MON", spaces: [main], questions: ["How are you?"]}
"""


def test_a_cron_that_never_fires_is_logged_and_does_not_stop_the_others(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path, NEVER_YAML), database_url, redis_url)
    with capture_logs() as logs:
        assert len(hub.scheduler(clock=at(MONDAY_9_PARIS)).claim_due()) == 1
    assert [log["ritual"] for log in logs if log["event"] == "schedule.never_fires"] == ["poll"]
