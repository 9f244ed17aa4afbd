"""Forget-me reaches what the webchat keeps in Redis: the member's name is free at once, and
their session and private stream (export-me answers, link codes) expire after the goodbye."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import select

from hub.adapters.webchat.sender import ERASE_AFTER_SECONDS
from hub.adapters.webchat.streams import decode, private_stream
from hub.bootstrap import Hub
from hub.core.storage.orm import DeliveryRow
from hub.runtime import actors_for, build_app
from tests.adapters.webchat.conftest import BASE
from tests.builders import compose, wait_for, write_config
from tests.fakes.server import BackgroundServer
from workers.processes import start_worker

NAMES = "hub:webchat:inside-freelancing:names"


@pytest.fixture
def served(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis
) -> Iterator[tuple[Hub, httpx.Client]]:
    hub = compose(write_config(tmp_path), f"sqlite:///{tmp_path}/hub.db", redis_url)
    actors = actors_for(hub)
    worker = start_worker(actors.deliver.broker, threads=2)
    try:
        with (
            BackgroundServer(build_app(hub, actors)) as server,
            httpx.Client(base_url=server.url, timeout=10) as client,
        ):
            yield hub, client
    finally:
        worker.stop()


def private_text(store: redis.Redis, stream: str) -> str:
    return " ".join(decode(fields)["text"] for _, fields in store.xrange(stream))


def say(client: httpx.Client, token: str, text: str) -> None:
    answer = client.post(
        f"{BASE}/messages", json={"text": text}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text


def test_forget_me_erases_the_webchat_session_name_and_private_stream(
    served: tuple[Hub, httpx.Client], redis_client: redis.Redis
) -> None:
    hub, client = served
    token = client.post(f"{BASE}/join", json={"name": "Zoé"}).json()["token"]
    (user_id,) = [v.decode() for v in redis_client.hvals(NAMES)]
    stream = private_stream("inside-freelancing", user_id)
    say(client, token, "/hub export-me")
    wait_for(lambda: redis_client.xlen(stream) >= 1, what="the export in her private stream")
    say(client, token, "/hub forget-me")
    wait_for(lambda: "forget-me confirm" in private_text(redis_client, stream), what="the question")
    say(client, token, "/hub forget-me confirm")
    wait_for(lambda: not redis_client.hvals(NAMES), what="her name to be released")
    wait_for(lambda: redis_client.ttl(stream) > 0, what="her private stream to expire")
    assert 0 < redis_client.ttl(stream) <= ERASE_AFTER_SECONDS
    sessions = list(redis_client.scan_iter("hub:webchat:inside-freelancing:session:*"))
    assert sessions and all(0 < redis_client.ttl(s) <= ERASE_AFTER_SECONDS for s in sessions)
    assert client.post(f"{BASE}/join", json={"name": "Zoé"}).status_code == 200  # free again
    with hub.database.transaction() as session:
        rows = session.scalars(select(DeliveryRow)).all()
    assert [r for r in rows if user_id in (r.address + r.idempotency_key + str(r.payload))] == []
