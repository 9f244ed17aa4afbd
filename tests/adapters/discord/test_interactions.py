"""`POST /webhooks/discord/interactions`: Ed25519 checked before parsing, PING, commands, clicks."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey
from starlette.applications import Starlette
from starlette.testclient import TestClient

from hub.adapters.discord.listener import DiscordCommunity, DiscordListener
from hub.adapters.discord.translate import Inbound
from hub.core.model.events import ButtonClicked, CommandInvoked, Event
from tests.fakes.discord import hub_command_payload, interaction_payload

KEY = SigningKey.generate()
OTHER = SigningKey.generate()
PATH = "/webhooks/discord/interactions"


def client() -> tuple[TestClient, list[Event]]:
    queued: list[Event] = []
    community = DiscordCommunity(Inbound("c", {"3000": "main"}), "token", KEY.verify_key)
    listener = DiscordListener([community], queued.append)
    return TestClient(Starlette(routes=listener.routes())), queued


def post(
    http: TestClient, body: bytes, key: SigningKey = KEY, timestamp: str | None = None
) -> tuple[int, dict[str, object]]:
    stamp = timestamp or str(int(time.time()))
    signature = key.sign(stamp.encode() + body).signature.hex()
    headers = {"X-Signature-Ed25519": signature, "X-Signature-Timestamp": stamp}
    response = http.post(PATH, content=body, headers=headers)
    return response.status_code, response.json()


def test_ping_is_answered_with_pong() -> None:
    http, queued = client()
    assert post(http, b'{"type": 1}') == (200, {"type": 1})
    assert queued == []


def test_a_slash_command_is_enqueued_and_acknowledged_privately() -> None:
    http, queued = client()
    body = json.dumps(hub_command_payload("7", "3000", "5000", "help")).encode()
    status, answer = post(http, body)
    assert status == 200 and answer["type"] == 4
    assert answer["data"] == {"content": "👍", "flags": 64}
    (event,) = queued
    assert isinstance(event, CommandInvoked) and event.name == "help" and event.space == "main"


def test_a_button_click_is_enqueued_and_acknowledged_without_a_message() -> None:
    http, queued = client()
    payload = interaction_payload(
        "8", 3, {"custom_id": "vote:1:0", "component_type": 2}, "3000", "5000", message={"id": "99"}
    )
    assert post(http, json.dumps(payload).encode()) == (200, {"type": 6})
    (event,) = queued
    assert isinstance(event, ButtonClicked) and event.value == "1:0"


@pytest.mark.parametrize(
    "forge",
    [
        lambda http, body: post(http, body, key=OTHER),
        lambda http, body: post(http, body, timestamp=str(int(time.time()) - 3600)),
        lambda http, body: post(http, body, timestamp="not-a-number"),
        lambda http, body: (
            (r := http.post(PATH, content=body)).status_code,
            r.json(),
        ),
        lambda http, body: (
            (
                r := http.post(
                    PATH,
                    content=body,
                    headers={"X-Signature-Ed25519": "zz", "X-Signature-Timestamp": "1"},
                )
            ).status_code,
            r.json(),
        ),
    ],
    ids=["other key", "stale", "bad timestamp", "unsigned", "non-hex signature"],
)
def test_forged_requests_get_401_and_nothing_is_enqueued(forge: object) -> None:
    http, queued = client()
    body = json.dumps(hub_command_payload("7", "3000", "5000", "help")).encode()
    status, _ = forge(http, body)  # type: ignore[operator]
    assert status == 401
    assert queued == []


def test_a_signed_body_that_is_not_json_is_a_400() -> None:
    http, queued = client()
    assert post(http, b"\xff\xfe not json")[0] == 400
    assert queued == []


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_no_signed_body_ever_gets_a_5xx(body: bytes) -> None:
    http, _ = client()
    assert post(http, body)[0] < 500
