"""A running fake Slack Web API and a signer that signs requests exactly as Slack does."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator

import pytest

from tests.fakes.server import BackgroundServer
from tests.fakes.slack import FakeSlack

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack-sdk's async client ignores NO_PROXY: keep loopback calls off any proxy."""
    for name in (
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "https_proxy",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def slack() -> Iterator[tuple[FakeSlack, str]]:
    fake = FakeSlack()
    for channel in ("C0MAIN", "C0NEWS"):
        fake.channel(channel)
    with BackgroundServer(fake.app()) as server:
        yield fake, server.url


def signed(
    body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Headers Slack would send with `body`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


SLACK_YAML = """
community: {{id: inside-freelancing, name: Inside Freelancing, timezone: Europe/Paris, locale: fr}}
platforms:
  slack:
    bot_token: ${{SLACK_BOT_TOKEN}}
    signing_secret: ${{SLACK_SIGNING_SECRET}}
    api_base_url: {url}
    spaces: {{main: C0MAIN, annonces: C0NEWS}}
rituals:
  welcome: {{spaces: [main]}}
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [main, annonces]
    questions: ["Premier client ?"]
"""
