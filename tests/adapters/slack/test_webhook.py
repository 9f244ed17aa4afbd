"""Inbound Slack requests: authenticated before parsing, 401 and nothing queued otherwise."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.testclient import TestClient

from hub.adapters.slack.listener import SlackCommunity, SlackListener
from hub.core.model.events import ButtonClicked, CommandInvoked, Event, MemberJoined
from tests.adapters.slack.conftest import SIGNING_SECRET, signed


@pytest.fixture
def inbound() -> tuple[TestClient, list[Event]]:
    received: list[Event] = []
    community = SlackCommunity(
        "inside-freelancing", SignatureVerifier(SIGNING_SECRET), {"C0MAIN": "main"}
    )
    listener = SlackListener([community], received.append)
    return TestClient(Starlette(routes=listener.routes())), received


def post_json(
    client: TestClient, data: object, headers: dict[str, str] | None = None, **extra: str
) -> int:
    body = json.dumps(data).encode()
    all_headers = {
        **(headers if headers is not None else signed(body)),
        "Content-Type": "application/json",
        **extra,
    }
    return client.post("/webhooks/slack/events", content=body, headers=all_headers).status_code


JOIN = {
    "type": "event_callback",
    "event_id": "Ev42",
    "event_time": 1_700_000_000,
    "authorizations": [{"user_id": "U0BOT", "is_bot": True}],
    "event": {"type": "member_joined_channel", "user": "U1", "channel": "C0MAIN"},
}


def test_a_signed_event_is_queued(inbound: tuple[TestClient, list[Event]]) -> None:
    client, received = inbound
    assert post_json(client, JOIN) == 200
    (event,) = received
    assert isinstance(event, MemberJoined) and event.event_id == "slack:Ev42"


def test_url_verification_answers_the_challenge_when_signed(
    inbound: tuple[TestClient, list[Event]],
) -> None:
    client, _ = inbound
    body = json.dumps({"type": "url_verification", "challenge": "abc123"}).encode()
    response = client.post(
        "/webhooks/slack/events",
        content=body,
        headers={**signed(body), "Content-Type": "application/json"},
    )
    assert response.json() == {"challenge": "abc123"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "garbage"},
    ],
)
def test_malformed_signature_headers_are_401_not_500(
    inbound: tuple[TestClient, list[Event]], headers: dict[str, str]
) -> None:
    client, received = inbound
    assert post_json(client, JOIN, headers) == 401
    assert received == []


def test_a_forged_or_stale_signature_is_401_and_queues_nothing(
    inbound: tuple[TestClient, list[Event]],
) -> None:
    client, received = inbound
    body = json.dumps(JOIN).encode()
    assert post_json(client, JOIN, signed(body, secret="not-the-secret")) == 401
    assert post_json(client, JOIN, signed(body, timestamp=int(time.time()) - 301)) == 401
    assert received == []


def test_slack_retries_carry_the_same_event_id(inbound: tuple[TestClient, list[Event]]) -> None:
    client, received = inbound
    assert post_json(client, JOIN) == 200
    assert (
        post_json(
            client, JOIN, None, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        )
        == 200
    )
    assert {e.event_id for e in received} == {"slack:Ev42"}  # the pipeline processes one id once


def test_slash_commands_and_button_clicks_are_queued(
    inbound: tuple[TestClient, list[Event]],
) -> None:
    client, received = inbound
    form = urlencode(
        {
            "command": "/hub",
            "text": "help",
            "user_id": "U1",
            "channel_id": "C0MAIN",
            "trigger_id": "T9",
        }
    ).encode()
    headers = {**signed(form), "Content-Type": "application/x-www-form-urlencoded"}
    assert client.post("/webhooks/slack/events", content=form, headers=headers).status_code == 200
    action = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "channel": {"id": "C0MAIN"},
        "actions": [{"value": "rsvp:yes", "action_ts": "1.1"}],
    }
    form = urlencode({"payload": json.dumps(action)}).encode()
    headers = {**signed(form), "Content-Type": "application/x-www-form-urlencoded"}
    assert client.post("/webhooks/slack/events", content=form, headers=headers).status_code == 200
    command, clicked = received
    assert isinstance(command, CommandInvoked) and command.name == "help"
    assert isinstance(clicked, ButtonClicked) and clicked.action == "rsvp"


def test_signed_but_malformed_bodies_are_400(inbound: tuple[TestClient, list[Event]]) -> None:
    client, received = inbound
    for body, kind in (
        (b"{not json", "application/json"),
        (b"payload=%7Bbad", "application/x-www-form-urlencoded"),
    ):
        assert (
            client.post(
                "/webhooks/slack/events",
                content=body,
                headers={**signed(body), "Content-Type": kind},
            ).status_code
            == 400
        )
    assert received == []


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=300),
    kind=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain"]),
)
def test_no_signed_body_causes_a_5xx(
    inbound: tuple[TestClient, list[Event]], body: bytes, kind: str
) -> None:
    client, _ = inbound
    response = client.post(
        "/webhooks/slack/events", content=body, headers={**signed(body), "Content-Type": kind}
    )
    assert response.status_code < 500
