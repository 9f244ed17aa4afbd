"""The whole pipeline in one process on a real Redis broker: event → actors → webchat stream."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from prometheus_client import REGISTRY
from sqlalchemy import select

from hub.adapters.webchat.streams import decode, private_stream, room_stream
from hub.bootstrap import Hub
from hub.core.model.domain import Identity
from hub.core.model.events import MemberJoined
from hub.core.storage.orm import InboxRow
from hub.runtime import actors_for
from tests.builders import compose, wait_for, write_config
from workers.actors import Actors
from workers.processes import event_enqueuer, scheduler_tick, start_worker


@pytest.fixture
def running(tmp_path: Path, database_url: str, redis_url: str) -> Iterator[tuple[Hub, Actors]]:
    redis.Redis.from_url(redis_url).flushdb()
    hub = compose(write_config(tmp_path), database_url, redis_url)
    actors = actors_for(hub)
    worker = start_worker(actors.deliver.broker, threads=4)
    try:
        yield hub, actors
    finally:
        worker.stop()


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_join_flows_through_the_queues_to_the_room_and_the_member(
    running: tuple[Hub, Actors], redis_url: str
) -> None:
    hub, actors = running
    store = redis.Redis.from_url(redis_url)
    sent_before = metric("hub_delivery_latency_seconds_count", platform="webchat")
    events_before = metric("hub_events_received_total", platform="webchat", kind="member_joined")
    zoe = Identity(platform="webchat", user_id="u-zoe", display_name="Zoé")
    event = MemberJoined(
        event_id="join-zoe",
        community_id="inside-freelancing",
        platform="webchat",
        space="main",
        actor=zoe,
        occurred_at=datetime.now(UTC),
    )
    enqueue = event_enqueuer(hub.inbox, actors)
    enqueue(event)
    enqueue(event)  # a platform retry: the same event again
    room, dm = (
        room_stream("inside-freelancing", "salon"),
        private_stream("inside-freelancing", "u-zoe"),
    )
    wait_for(lambda: store.xlen(room) == 1 and store.xlen(dm) == 1)
    with hub.database.transaction() as session:  # the retry was kept once, so it runs once
        assert session.scalars(select(InboxRow.state)).all() == ["done"]
    assert (store.xlen(room), store.xlen(dm)) == (1, 1)
    ((_, fields),) = store.xrange(room)
    assert "Bienvenue Zoé" in decode(fields)["text"]
    assert (
        metric("hub_events_received_total", platform="webchat", kind="member_joined")
        == events_before + 2
    )
    sent = lambda: metric("hub_delivery_latency_seconds_count", platform="webchat")  # noqa: E731
    wait_for(lambda: sent() >= sent_before + 2, what="both sends to be recorded")
    assert sent() == sent_before + 2


def test_the_scheduler_fires_a_due_ritual_to_every_space(
    running: tuple[Hub, Actors], redis_url: str
) -> None:
    hub, actors = running
    store = redis.Redis.from_url(redis_url)
    monday_9_paris = datetime(2026, 11, 23, 8, 0, 30, tzinfo=UTC)
    scheduler = hub.scheduler(clock=lambda: monday_9_paris)
    assert scheduler_tick(scheduler, actors) == 1
    assert scheduler_tick(scheduler, actors) == 0
    rooms = [room_stream("inside-freelancing", r) for r in ("salon", "news")]
    wait_for(lambda: all(store.xlen(r) == 1 for r in rooms))
    texts = [decode(store.xrange(r)[0][1])["text"] for r in rooms]
    assert all("Question de la semaine" in t for t in texts)
