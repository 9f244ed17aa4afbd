"""A running fake Discord (REST + Gateway) and the YAML of a community on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.discord import Channel, FakeDiscord, User
from tests.fakes.server import BackgroundServer

MAIN, NEWS = "3000", "3001"
ZOE, CLOSED = "5000", "5001"


@pytest.fixture
def discord_api() -> Iterator[tuple[FakeDiscord, str]]:
    fake = FakeDiscord(
        channels={MAIN: Channel(name="general"), NEWS: Channel(name="annonces")},
        users={ZOE: User("zoe"), CLOSED: User("closed", dms_closed=True)},
    )
    with BackgroundServer(fake.app()) as server:
        fake.ws_url = f"ws://127.0.0.1:{server.port}/gateway"
        yield fake, server.url


DISCORD_YAML = """
community: {{id: inside-freelancing, name: Inside Freelancing, timezone: Europe/Paris, locale: fr}}
platforms:
  discord:
    token: ${{DISCORD_BOT_TOKEN}}
    public_key: ${{DISCORD_PUBLIC_KEY}}
    api_base_url: {url}
    spaces: {{main: "3000", annonces: "3001"}}
rituals:
  welcome: {{spaces: [main]}}
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [main, annonces]
    questions: ["Premier client ?"]
"""
