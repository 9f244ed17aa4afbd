"""A hub with every platform configured, its web app, and what its listeners kept."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from sqlalchemy import select
from starlette.testclient import TestClient

from hub.bootstrap import Hub
from hub.core.model.events import Event
from hub.core.storage.orm import InboxRow
from hub.runtime import actors_for, build_app
from tests.builders import compose, write_config
from tests.fakes.server import BackgroundServer
from tests.fakes.slack import FakeSlack
from tests.hostile import ENV, ROOM, all_platforms_yaml


@dataclass(repr=False)
class Kept:
    """An enqueue that keeps events in the hub's real inbox, and remembers what it kept."""

    hub: Hub
    events: list[Event] = field(default_factory=list)

    def __call__(self, event: Event) -> None:
        self.hub.inbox.accept(event)
        self.events.append(event)


class WebHub:
    """The composed hub, a client of its ASGI app (every route, limits and error handlers),
    what its listeners kept, and a webchat member's token."""

    def __init__(self, hub: Hub, client: TestClient, kept: Kept) -> None:
        self.hub, self.client, self.kept = hub, client, kept
        joined = client.post(f"{ROOM}/join", json={"name": "Zoé"})  # a member, to act as her
        self.token: str = joined.json()["token"]
        for event in kept.events:  # her join, processed before the test begins
            with hub.database.transaction() as session:
                (inbox_id,) = session.scalars(
                    select(InboxRow.id).where(InboxRow.event_id == event.event_id)
                )
            hub.inbox.process(inbox_id, hub.service.handle_event)
        kept.events.clear()

    def __repr__(self) -> str:  # hypothesis prints the fixtures of a failing example
        return f"WebHub({self.hub.database.engine.url.get_backend_name()})"


@pytest.fixture
def web_hub(tmp_path: Path, database_url: str, redis_url: str) -> Iterator[WebHub]:
    redis.Redis.from_url(redis_url).flushdb()
    slack = FakeSlack(token=ENV["SLACK_BOT_TOKEN"], users={"U1": "Zoé"})
    with BackgroundServer(slack.app()) as slack_api:
        config = write_config(tmp_path, all_platforms_yaml(slack_api.url))
        hub = compose(config, database_url, redis_url, secrets=ENV)
        kept = Kept(hub)
        app = build_app(hub, actors_for(hub), hub.listeners(kept))
        with TestClient(app) as client:  # one event loop for the app's async clients
            yield WebHub(hub, client, kept)
        hub.database.dispose()
