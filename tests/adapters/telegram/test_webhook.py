"""Inbound Telegram updates: the secret token first, then parsing; 403 and nothing queued otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient

from hub.adapters.telegram.listener import TelegramCommunity, TelegramListener
from hub.core.config.loader import ConfigError
from hub.core.model.events import Event, MemberJoined
from hub.runtime import actors_for, build_app
from tests.adapters.telegram.conftest import TELEGRAM_YAML
from tests.builders import compose, write_config
from tests.fakes.telegram import TOKEN

SECRET = "s3cr3t_token-ABC"
JOIN = {
    "update_id": 2,
    "message": {
        "message_id": 11,
        "date": 1_700_000_000,
        "chat": {"id": -1001, "type": "supergroup", "title": "G"},
        "from": {"id": 8, "is_bot": False, "first_name": "Bob"},
        "new_chat_members": [{"id": 8, "is_bot": False, "first_name": "Bob"}],
    },
}


@pytest.fixture
def inbound() -> tuple[TestClient, list[Event]]:
    received: list[Event] = []
    community = TelegramCommunity(
        "inside-freelancing", SECRET.encode(), {"-1001": "main"}, "hub_test_bot"
    )
    listener = TelegramListener([community], received.append)
    return TestClient(Starlette(routes=listener.routes())), received


def post(client: TestClient, body: bytes, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return client.post("/webhooks/telegram", content=body, headers=headers).status_code


def test_an_update_with_the_right_secret_is_queued(inbound: tuple[TestClient, list[Event]]) -> None:
    client, received = inbound
    assert post(client, json.dumps(JOIN).encode()) == 200
    (event,) = received
    assert (
        isinstance(event, MemberJoined)
        and event.space == "main"
        and event.actor.display_name == "Bob"
    )


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1]])
def test_a_missing_or_wrong_secret_is_403_and_queues_nothing(
    inbound: tuple[TestClient, list[Event]], secret: str | None
) -> None:
    client, received = inbound
    assert post(client, json.dumps(JOIN).encode(), secret) == 403
    assert received == []


def test_malformed_bodies_with_the_right_secret_are_400(
    inbound: tuple[TestClient, list[Event]],
) -> None:
    client, received = inbound
    for body in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        assert post(client, body) == 400
    assert received == []


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300))
def test_no_body_causes_a_5xx(inbound: tuple[TestClient, list[Event]], body: bytes) -> None:
    client, _ = inbound
    assert post(client, body) < 500


def test_a_community_with_an_empty_secret_never_takes_a_request() -> None:
    received: list[Event] = []
    community = TelegramCommunity("inside-freelancing", b"", {"-1001": "main"}, "hub_test_bot")
    client = TestClient(Starlette(routes=TelegramListener([community], received.append).routes()))
    for secret in (None, "", "anything"):
        assert post(client, json.dumps(JOIN).encode(), secret) == 403
    assert received == []


def hub_app(tmp_path: Path, redis_url: str, text: str, env: dict[str, str]) -> TestClient:
    """The hub's own web app, built from a community file as `hub serve` builds it."""
    config = write_config(tmp_path, text.format(url="http://127.0.0.1:9"))
    hub = compose(config, f"sqlite:///{tmp_path}/hub.db", redis_url, secrets=env)
    return TestClient(build_app(hub, actors_for(hub)))


def test_without_a_webhook_secret_every_webhook_request_is_refused(
    tmp_path: Path, redis_url: str
) -> None:
    text = TELEGRAM_YAML.replace("    webhook_secret: ${{TELEGRAM_WEBHOOK_SECRET}}\n", "")
    client = hub_app(tmp_path, redis_url, text, {"TELEGRAM_BOT_TOKEN": TOKEN})
    for secret in (None, "", SECRET):
        assert post(client, json.dumps(JOIN).encode(), secret) == 403


def test_an_empty_webhook_secret_stops_the_hub_before_it_serves(
    tmp_path: Path, redis_url: str
) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": ""}
    with pytest.raises(ConfigError) as caught:
        hub_app(tmp_path, redis_url, TELEGRAM_YAML, env)
    (issue,) = caught.value.issues
    assert issue.path == "platforms.telegram.webhook_secret"
    assert issue.message.startswith("TELEGRAM_WEBHOOK_SECRET is empty")
