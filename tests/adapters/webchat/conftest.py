"""The webchat's routes on a real Redis and a real uvicorn, as `hub serve` builds them, with
what they enqueue recorded (one server, so one event loop owns the Redis connections)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from starlette.applications import Starlette

from hub.core.model.events import Event
from hub.web.app import create_app
from tests.builders import TEST_WEBCHAT_SECRET, compose, write_config
from tests.fakes.server import BackgroundServer

BASE = "/chat/inside-freelancing/main"
SECRET = TEST_WEBCHAT_SECRET  # what the tests give the hub: Mallory knows it too


@dataclass(frozen=True)
class Joined:
    """A member as their page knows them: what /join answered."""

    answer: dict[str, str]

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header that proves who they are."""
        return {"Authorization": f"Bearer {self.answer['token']}"}


@dataclass
class Chat:
    """The app, a client of its server, what it enqueued, and the Redis behind it."""

    app: Starlette
    url: str
    client: httpx.Client
    redis: redis.Redis
    events: list[Event] = field(default_factory=list)

    def join(self, name: str, client: httpx.Client | None = None) -> Joined:
        """Join as `name`."""
        answer = (client or self.client).post(f"{BASE}/join", json={"name": name})
        assert answer.status_code == 200, answer.text
        return Joined(answer.json())

    def say(self, member: Joined, text: str) -> None:
        """Write in the room; the body also carries the join answer, as the old page sent it
        (it must not matter), so the same test runs against the old protocol too."""
        body = {**member.answer, "text": text}
        assert self.client.post(f"{BASE}/messages", json=body, headers=member.headers).is_success

    def room_entries(self) -> list[dict[str, Any]]:
        """What every member's page receives from the room: its stream's entries."""
        from hub.adapters.webchat.streams import decode, room_stream

        entries = self.redis.xrange(room_stream("inside-freelancing", "salon"))
        return [{"id": i.decode(), **decode(fields)} for i, fields in entries]


@pytest.fixture
def chat(tmp_path: Path, redis_url: str, redis_client: redis.Redis) -> Iterator[Chat]:
    hub = compose(write_config(tmp_path), f"sqlite:///{tmp_path}/hub.db", redis_url)
    events: list[Event] = []
    routes = [route for listener in hub.listeners(events.append) for route in listener.routes()]
    app = create_app(
        database=hub.database,
        redis_url=hub.redis_url,
        routes=routes,
        rooms=[("inside-freelancing", "main")],
    )
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        yield Chat(app, server.url, client, redis_client, events)
