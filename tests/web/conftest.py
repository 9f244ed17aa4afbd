"""A hub with every platform configured, its web app, and what its listeners kept."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from starlette.applications import Starlette

from hub.bootstrap import Hub
from hub.core.events import Event
from hub.runtime import actors_for, build_app
from tests.builders import compose, write_config
from tests.fakes.server import BackgroundServer
from tests.fakes.slack import FakeSlack
from tests.hostile import ENV, all_platforms_yaml


@dataclass(repr=False)
class Kept:
    """An enqueue that keeps events in the hub's real inbox, and remembers what it kept."""

    hub: Hub
    events: list[Event] = field(default_factory=list)

    def __call__(self, event: Event) -> None:
        self.hub.inbox.accept(event)
        self.events.append(event)


class WebHub:
    """The composed hub, its ASGI app (every route, limits and error handlers) and its inbox."""

    def __init__(self, hub: Hub, app: Starlette, kept: Kept) -> None:
        self.hub, self.app, self.kept = hub, app, kept

    def __repr__(self) -> str:  # hypothesis prints the fixtures of a failing example
        return f"WebHub({self.hub.database.engine.url.get_backend_name()})"


@pytest.fixture
def web_hub(tmp_path: Path, database_url: str, redis_url: str) -> Iterator[WebHub]:
    slack = FakeSlack(token=ENV["SLACK_BOT_TOKEN"], users={"U1": "Zoé"})
    with BackgroundServer(slack.app()) as slack_api:
        config = write_config(tmp_path, all_platforms_yaml(slack_api.url))
        hub = compose(config, database_url, redis_url, secrets=ENV)
        kept = Kept(hub)
        app = build_app(hub, actors_for(hub), hub.listeners(kept))
        yield WebHub(hub, app, kept)
        hub.database.dispose()
