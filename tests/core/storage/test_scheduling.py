"""`SqlSchedule` and `SqlRetention` on SQLite and PostgreSQL: the answers the scheduler's
rules rely on (the rules themselves: tests/core/test_scheduler_usecase.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.core.model.deliveries import DeliveryState
from hub.core.ports.retention_store import Expired
from hub.core.ports.schedule_store import Claim, Page
from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, OccurrenceRow
from hub.core.storage.repositories.retention import SqlRetention
from hub.core.storage.repositories.scheduling import SqlSchedule

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def claim(at: datetime, state: str = "claimed") -> Claim:
    return Claim(community_id="c", ritual="r", at=at, state=state, by="s", claimed_at=NOW)  # type: ignore[arg-type]


def delivery(key: str, state: DeliveryState, updated_at: datetime) -> DeliveryRow:
    return DeliveryRow(
        idempotency_key=key,
        community_id="c",
        ritual="r",
        platform="webchat",
        address="a",
        part=0,
        payload={},
        state=state.value,
        created_at=NOW,
        updated_at=updated_at,
    )


def test_claims_are_won_once_and_idle_deliveries_requeued_once(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()
    schedule = SqlSchedule(database)
    won = schedule.claim([claim(NOW), claim(NOW - timedelta(days=7), "skipped")])
    assert all(won) and schedule.claim([claim(NOW)]) == [None]
    assert {k: v.replace(tzinfo=UTC) for k, v in schedule.last_fired().items()} == {("c", "r"): NOW}
    manual = schedule.claim_manual(claim(NOW + timedelta(minutes=1)))
    assert schedule.stale_occurrences(NOW + timedelta(seconds=1)) == sorted([won[0], manual])
    with database.transaction() as session:
        session.add_all(
            [
                delivery("idle", DeliveryState.QUEUED, NOW),
                delivery("held", DeliveryState.HELD, NOW),
                delivery("fresh", DeliveryState.SENDING, NOW + timedelta(minutes=1)),
            ]
        )
    before = NOW + timedelta(seconds=30)
    (idle,) = schedule.idle_deliveries(before, Page(0, 10))
    assert schedule.idle_deliveries(before, Page(idle, 10)) == []
    assert schedule.requeue_deliveries([idle], before, before) == [idle]
    assert schedule.requeue_deliveries([idle], before, before) == []


def test_retention_deletes_finished_rows_a_batch_at_a_time(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()
    with database.transaction() as session:
        session.add_all(
            [delivery(f"sent-{n}", DeliveryState.SENT, NOW) for n in range(3)]
            + [delivery("queued", DeliveryState.QUEUED, NOW)]
        )
        session.add(
            OccurrenceRow(
                community_id="c",
                ritual="r",
                scheduled_at=NOW,
                state="done",
                claimed_by="s",
                claimed_at=NOW,
            )
        )
    retention = SqlRetention(database)
    later = NOW + timedelta(days=1)
    assert retention.delete_batch(Expired("deliveries", ["c"], later), 2) == 2
    assert retention.delete_batch(Expired("deliveries", ["other"], later), 2) == 0
    assert retention.delete_batch(Expired("deliveries", ["c"], later), 2) == 1
    assert retention.delete_batch(Expired("deliveries", ["c"], later), 2) == 0  # queued stays
    assert retention.delete_batch(Expired("occurrences", ["c"], NOW), 2) == 0
    assert retention.delete_batch(Expired("occurrences", ["c"], later), 2) == 1
