"""The scheduler's rules against in-memory stores: claims once, the grace period, requeues,
retention's pace (the SQL side: tests/core/test_scheduler.py, tests/core/storage/)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest

from hub.bootstrap import load_config, ritual_catalogue
from hub.core.model.community import CommunityRuntime, build_runtime
from hub.core.usecases.scheduler import PRUNE_EVERY, REQUEUE_AFTER, Scheduler
from tests.builders import write_config
from tests.fakes.repositories.scheduling import (
    FakeIdle,
    FakeRetention,
    FakeSchedule,
    fake_scheduler_stores,
)

MONDAY_9_PARIS = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # the test community's icebreaker


@pytest.fixture
def communities(tmp_path: Path) -> dict[str, CommunityRuntime]:
    (loaded,) = load_config(write_config(tmp_path), env={})
    runtime = build_runtime(loaded.config, ritual_catalogue())
    return {runtime.community.id: runtime}


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def test_a_due_occurrence_is_claimed_once_by_two_schedulers(communities: dict) -> None:
    stores = fake_scheduler_stores()
    one = Scheduler(stores, communities, "one", clock=at(MONDAY_9_PARIS))
    other = Scheduler(stores, communities, "other", clock=at(MONDAY_9_PARIS))
    assert len(one.claim_due()) == 1
    assert other.claim_due() == []
    (claim,) = (c for _, c in cast(FakeSchedule, stores.schedule).occurrences.values())
    assert (claim.ritual, claim.at, claim.by, claim.state) == (
        "icebreaker",
        MONDAY_9_PARIS,
        "one",
        "claimed",
    )


def test_after_a_long_downtime_the_missed_occurrence_is_recorded_as_skipped(
    communities: dict,
) -> None:
    stores = fake_scheduler_stores()
    schedule = cast(FakeSchedule, stores.schedule)
    assert len(Scheduler(stores, communities, "s", clock=at(MONDAY_9_PARIS)).claim_due()) == 1
    a_week_and_a_day = MONDAY_9_PARIS + timedelta(days=8)
    assert Scheduler(stores, communities, "s", clock=at(a_week_and_a_day)).claim_due() == []
    states = sorted((at, c.state) for (_, _, at), (_, c) in schedule.occurrences.items())
    assert states == [(MONDAY_9_PARIS, "claimed"), (MONDAY_9_PARIS + timedelta(7), "skipped")]


def test_a_manual_firing_is_claimed_now_and_stale_claims_are_found(communities: dict) -> None:
    stores = fake_scheduler_stores()
    occurrence = Scheduler(stores, communities, "s", clock=at(MONDAY_9_PARIS)).fire_now(
        "inside-freelancing", "icebreaker"
    )
    soon = Scheduler(stores, communities, "s", clock=at(MONDAY_9_PARIS + REQUEUE_AFTER / 2))
    later = Scheduler(stores, communities, "s", clock=at(MONDAY_9_PARIS + REQUEUE_AFTER * 2))
    assert soon.stale_occurrences() == []
    assert later.stale_occurrences() == [occurrence]


def test_idle_deliveries_are_requeued_once_and_not_against_a_worker(communities: dict) -> None:
    stores = fake_scheduler_stores()
    schedule = cast(FakeSchedule, stores.schedule)
    leased = MONDAY_9_PARIS + timedelta(minutes=1)
    schedule.deliveries = {
        1: FakeIdle(updated_at=MONDAY_9_PARIS),
        2: FakeIdle(updated_at=MONDAY_9_PARIS),
        3: FakeIdle(updated_at=MONDAY_9_PARIS, lease_until=leased),
    }
    clock = at(MONDAY_9_PARIS + timedelta(seconds=30))
    one, other = (Scheduler(stores, communities, n, clock=clock) for n in "ab")
    seen = one.stale_deliveries()
    assert seen.ids == other.stale_deliveries().ids == [1, 2]
    assert one.stale_deliveries(after=1).ids == [2]
    schedule.deliveries[1].updated_at = MONDAY_9_PARIS + timedelta(seconds=29)  # a worker took it
    assert one.requeue_deliveries(seen, seen.ids) == [2]
    assert other.requeue_deliveries(other.stale_deliveries(), [2]) == []
    assert one.requeue_deliveries(seen, []) == []


def test_retention_runs_at_most_every_prune_every_in_batches(communities: dict) -> None:
    stores = fake_scheduler_stores()
    retention = cast(FakeRetention, stores.retention)
    retention.rows = {"deliveries": 1500}
    now = {"at": MONDAY_9_PARIS}
    scheduler = Scheduler(stores, communities, "s", clock=lambda: now["at"])
    first = scheduler.prune_due()
    assert first["deliveries"] == 1000  # one batch per community of the group
    assert scheduler.prune_due() == {}
    now["at"] += PRUNE_EVERY
    assert scheduler.prune_due()["deliveries"] == 500
    kept = communities["inside-freelancing"].config.retention.deliveries
    asked = [e for e in retention.asked if e.kind == "deliveries"]
    assert asked[0].before == MONDAY_9_PARIS - kept
    assert list(asked[0].community_ids) == ["inside-freelancing"]
