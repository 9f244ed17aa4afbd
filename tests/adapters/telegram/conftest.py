"""A running fake Telegram Bot API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.server import BackgroundServer
from tests.fakes.telegram import Chat, FakeTelegram

GROUP, NEWS = "-1001234567890", "-1009876543210"


@pytest.fixture
def telegram() -> Iterator[tuple[FakeTelegram, str]]:
    fake = FakeTelegram(chats={GROUP: Chat(), NEWS: Chat()})
    with BackgroundServer(fake.app()) as server:
        yield fake, server.url


TELEGRAM_YAML = """
community: {{id: inside-freelancing, name: Inside Freelancing, timezone: Europe/Paris, locale: fr}}
server: {{public_url: "https://hub.example.org"}}
platforms:
  telegram:
    token: ${{TELEGRAM_BOT_TOKEN}}
    webhook_secret: ${{TELEGRAM_WEBHOOK_SECRET}}
    bot_username: hub_test_bot
    api_base_url: {url}
    spaces: {{main: "-1001234567890", annonces: "-1009876543210"}}
rituals:
  welcome: {{spaces: [main]}}
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [main, annonces]
    questions: ["Premier client ?"]
"""
