"""Retention on SQLite and PostgreSQL: finished rows older than their period go, in batches;
what is still waiting stays whatever its age; the periods are the owner's, with floors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.bootstrap import Hub
from hub.core.config.loader import ConfigError
from hub.core.storage.orm import DeliveryRow, InboxRow, OccurrenceRow, ProcessedEventRow
from hub.core.storage.repositories.retention import SqlRetention
from hub.core.usecases.retention import Retention
from tests.builders import COMMUNITY_YAML, compose, write_config

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
C = "inside-freelancing"


def hub_at(tmp_path: Path, database_url: str, redis_url: str, text: str = COMMUNITY_YAML) -> Hub:
    return compose(write_config(tmp_path, text), database_url, redis_url)


def seed(hub: Hub, age: timedelta, tag: str) -> None:
    """One row of each kind, finished and waiting, `age` old."""
    at = NOW - age
    with hub.database.transaction() as session:
        session.add(ProcessedEventRow(community_id=C, event_id=f"e-{tag}", received_at=at))
        for state in ("done", "dead", "pending"):
            session.add(
                InboxRow(
                    community_id=C,
                    event_id=f"{state}-{tag}",
                    platform="webchat",
                    user_id="u",
                    kind="message_received",
                    event={},
                    state=state,
                    received_at=at,
                    updated_at=at,
                )
            )
        for state in ("sent", "failed", "skipped", "queued", "held"):
            session.add(
                DeliveryRow(
                    idempotency_key=f"k|{state}|{tag}",
                    community_id=C,
                    ritual="welcome",
                    platform="webchat",
                    address="salon",
                    state=state,
                    created_at=at,
                    updated_at=at,
                )
            )
        for state in ("done", "skipped", "failed", "claimed"):
            session.add(
                OccurrenceRow(
                    community_id=C,
                    ritual=f"icebreaker-{state}-{tag}",
                    scheduled_at=at,
                    state=state,
                    claimed_by="test",
                    claimed_at=at,
                )
            )


def states(hub: Hub, table: type, column: str) -> list[str]:
    with hub.database.transaction() as session:
        return sorted(session.scalars(select(getattr(table, column))))


def test_finished_rows_past_their_period_go_and_waiting_ones_stay(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = hub_at(tmp_path, database_url, redis_url)
    seed(hub, timedelta(days=400), "old")
    seed(hub, timedelta(days=1), "new")
    pruned = Retention(SqlRetention(hub.database), hub.communities, clock=lambda: NOW).prune()
    assert pruned == {
        "processed_events": 1,
        "inbox": 1,
        "dead_letters": 1,
        "deliveries": 3,
        "occurrences": 3,
    }
    assert states(hub, ProcessedEventRow, "event_id") == ["e-new"]
    assert states(hub, InboxRow, "event_id") == [
        "dead-new",
        "done-new",
        "pending-new",
        "pending-old",
    ]
    assert states(hub, DeliveryRow, "idempotency_key") == sorted(
        [f"k|{s}|new" for s in ("sent", "failed", "skipped", "queued", "held")]
        + ["k|queued|old", "k|held|old"]
    )
    assert states(hub, OccurrenceRow, "ritual") == [
        "icebreaker-claimed-new",
        "icebreaker-claimed-old",
        "icebreaker-done-new",
        "icebreaker-failed-new",
        "icebreaker-skipped-new",
    ]


def test_each_pass_deletes_a_bounded_batch(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = hub_at(tmp_path, database_url, redis_url)
    for n in range(5):
        seed(hub, timedelta(days=400), f"old{n}")
    retention = Retention(SqlRetention(hub.database), hub.communities, clock=lambda: NOW)
    assert retention.prune(batch=2)["deliveries"] == 2
    assert retention.prune(batch=2)["deliveries"] == 2
    assert retention.prune(batch=100)["deliveries"] == 11
    with hub.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DeliveryRow)) == 10  # waiting


def test_the_owner_sets_the_periods_and_a_period_below_its_floor_is_refused(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    short = COMMUNITY_YAML.replace("platforms:", "retention: {deliveries: 10d}\nplatforms:", 1)
    hub = hub_at(tmp_path, database_url, redis_url, short)
    seed(hub, timedelta(days=11), "eleven")
    pruned = Retention(SqlRetention(hub.database), hub.communities, clock=lambda: NOW).prune()
    assert pruned["deliveries"] == 3 and pruned["processed_events"] == 0
    too_short = COMMUNITY_YAML.replace("platforms:", "retention: {deliveries: 2d}\nplatforms:", 1)
    with pytest.raises(ConfigError) as refused:
        hub_at(tmp_path, database_url, redis_url, too_short)
    (issue,) = refused.value.issues
    assert issue.path == "retention.deliveries" and issue.line == 3
    assert (
        issue.message == "must be at least 8d: a bare number answers the choices of the last 7 days"
    )


def community(community_id: str, retention: str = "") -> str:
    text = COMMUNITY_YAML.replace("id: inside-freelancing", f"id: {community_id}", 1)
    return text.replace("platforms:", f"{retention}\nplatforms:", 1) if retention else text


def test_communities_pruned_together_keep_their_own_periods_and_rows(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    folder = tmp_path / "communities"
    folder.mkdir()
    for name, retention in (("aa", ""), ("bb", ""), ("cc", "retention: {deliveries: 10d}")):
        write_config(folder, community(name, retention), name=f"{name}.yaml")
    hub = compose(folder, database_url, redis_url)
    with hub.database.transaction() as session:
        # The same event id in two communities with the same periods: only the old row goes.
        session.add(ProcessedEventRow(community_id="aa", event_id="1", received_at=NOW - YEAR))
        session.add(ProcessedEventRow(community_id="bb", event_id="1", received_at=NOW))
        for name in ("aa", "cc"):
            session.add(
                DeliveryRow(
                    idempotency_key=f"k|{name}",
                    community_id=name,
                    ritual="welcome",
                    platform="webchat",
                    address="salon",
                    state="sent",
                    updated_at=NOW - timedelta(days=11),
                )
            )
    pruned = Retention(SqlRetention(hub.database), hub.communities, clock=lambda: NOW).prune()
    assert pruned["processed_events"] == 1 and pruned["deliveries"] == 1
    assert states(hub, ProcessedEventRow, "community_id") == ["bb"]
    assert states(hub, DeliveryRow, "community_id") == ["aa"]  # cc keeps 10 days, aa 90


YEAR = timedelta(days=365)
