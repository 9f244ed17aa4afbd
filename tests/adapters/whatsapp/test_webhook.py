"""`POST /webhooks/whatsapp` and `/status`: Twilio's signature first, then keywords and events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient

from hub.core.model.events import DeliveryReported, Event, MemberJoined, MessageReceived, OptedOut
from tests.adapters.whatsapp.conftest import (
    ENV,
    HUB_NUMBER,
    PUBLIC_URL,
    TEMPLATE_SID,
    WHATSAPP_YAML,
    message_form,
    signed,
)
from tests.builders import compose, write_config
from tests.fakes.twilio import FakeTwilio

MEMBER = "whatsapp:+33612345678"


@pytest.fixture
def listener(tmp_path: Path, redis_url: str) -> Iterator[tuple[TestClient, list[Event]]]:
    yaml = WHATSAPP_YAML.format(
        public_url=PUBLIC_URL, url="http://127.0.0.1:9", mps=80, template=TEMPLATE_SID
    )
    hub = compose(
        write_config(tmp_path, yaml), f"sqlite:///{tmp_path}/hub.db", redis_url, secrets=ENV
    )
    events: list[Event] = []
    (whatsapp,) = hub.listeners(events.append)
    with TestClient(Starlette(routes=whatsapp.routes())) as client:
        yield client, events


def post(
    client: TestClient, body: bytes, headers: dict[str, str], path: str = "/webhooks/whatsapp"
) -> Any:
    return client.post(path, content=body, headers=headers)


def test_a_signed_message_is_enqueued_and_answered_with_empty_twiml(
    listener: tuple[TestClient, list[Event]],
) -> None:
    client, events = listener
    response = post(
        client, *signed(FakeTwilio(), "/webhooks/whatsapp", message_form(MEMBER, "Salut !"))
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    assert "<Message>" not in response.text
    (message,) = events
    assert isinstance(message, MessageReceived) and message.text == "Salut !"


def forgeries() -> list[tuple[str, bytes, dict[str, str]]]:
    fake, form = FakeTwilio(), message_form(MEMBER, "JOIN")
    body, headers = signed(fake, "/webhooks/whatsapp", form)
    other_token = FakeTwilio(auth_token="someone-else")
    return [
        ("unsigned", body, {"Content-Type": headers["Content-Type"]}),
        ("another token", *signed(other_token, "/webhooks/whatsapp", form)),
        ("another url", *signed(fake, "/webhooks/whatsapp", form, base="https://evil.example")),
        ("tampered", body.replace(b"JOIN", b"STOP"), headers),
        ("not utf-8", b"\xff\xfe" + body, headers),
        ("garbage signature", body, {**headers, "X-Twilio-Signature": "%%%"}),
    ]


@pytest.mark.parametrize(("case", "body", "headers"), forgeries(), ids=lambda c: str(c)[:20])
def test_forged_or_unsigned_requests_get_403_and_enqueue_nothing(
    listener: tuple[TestClient, list[Event]], case: str, body: bytes, headers: dict[str, str]
) -> None:
    client, events = listener
    for path in ("/webhooks/whatsapp", "/webhooks/whatsapp/status"):
        assert post(client, body, headers, path).status_code == 403, case
    assert events == []


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300), signature=st.text(max_size=40))
def test_no_request_body_gets_a_5xx(
    listener: tuple[TestClient, list[Event]], body: bytes, signature: str
) -> None:
    client, events = listener
    headers = {"X-Twilio-Signature": signature} if signature.isascii() else {}
    assert post(client, body, headers).status_code in (200, 403, 413)
    assert events == []


@given(
    fields=st.dictionaries(st.sampled_from(sorted(message_form(MEMBER, "x"))), st.text(max_size=30))
)
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_signed_form_gets_a_5xx(
    listener: tuple[TestClient, list[Event]], fields: dict[str, str]
) -> None:
    client, _ = listener
    for path in ("/webhooks/whatsapp", "/webhooks/whatsapp/status"):
        assert post(client, *signed(FakeTwilio(), path, fields), path).status_code < 500


def test_keywords_are_answered_at_once_in_french(listener: tuple[TestClient, list[Event]]) -> None:
    client, events = listener
    fake = FakeTwilio()
    joined = post(client, *signed(fake, "/webhooks/whatsapp", message_form(MEMBER, "JOIN")))
    assert "Te voilà sur la liste *membres* de Inside Freelancing" in joined.text
    stopped = post(client, *signed(fake, "/webhooks/whatsapp", message_form(MEMBER, "ARRÊT")))
    assert "Tu ne recevras plus de messages de Inside Freelancing" in stopped.text
    helped = post(client, *signed(fake, "/webhooks/whatsapp", message_form(MEMBER, "Aide")))
    assert "JOIN : rejoindre la liste (membres)" in helped.text
    assert [type(e) for e in events] == [MemberJoined, OptedOut]


def test_status_callbacks_are_enqueued_as_delivery_reports(
    listener: tuple[TestClient, list[Event]],
) -> None:
    client, events = listener
    form = {
        "MessageSid": "SM" + "a" * 32,
        "MessageStatus": "failed",
        "ErrorCode": "63016",
        "To": MEMBER,
        "From": HUB_NUMBER,
        "AccountSid": ENV["TWILIO_ACCOUNT_SID"],
        "ApiVersion": "2010-04-01",
    }
    path = "/webhooks/whatsapp/status"
    assert post(client, *signed(FakeTwilio(), path, form), path).status_code == 204
    (report,) = events
    assert isinstance(report, DeliveryReported) and report.outside_window
    assert report.message_id == form["MessageSid"]


def test_the_form_is_read_with_every_value_twilio_signed(
    listener: tuple[TestClient, list[Event]],
) -> None:
    client, events = listener
    form = message_form(MEMBER, "")  # Twilio posts empty fields too: they are signed
    body, headers = signed(FakeTwilio(), "/webhooks/whatsapp", form)
    assert post(client, body, headers).status_code == 200
    assert len(events) == 1


def test_a_keyword_answer_counts_in_the_community_s_language(
    tmp_path: Path, redis_url: str
) -> None:
    """French counts 0 as one ("0 liste"), English as many ("0 lists"): the listener gives its
    texts the community's locale, so an owner's `plural` follows French rules."""
    yaml = WHATSAPP_YAML.format(
        public_url=PUBLIC_URL, url="http://127.0.0.1:9", mps=80, template=TEMPLATE_SID
    ).replace(
        "    spaces: {main: membres}\n",
        "    spaces: {main: membres}\n    texts: {help: \"{{ 0 | plural('liste', 'listes') }}\"}\n",
    )
    hub = compose(
        write_config(tmp_path, yaml), f"sqlite:///{tmp_path}/hub.db", redis_url, secrets=ENV
    )
    (whatsapp,) = hub.listeners(lambda event: None)
    with TestClient(Starlette(routes=whatsapp.routes())) as client:
        helped = post(
            client, *signed(FakeTwilio(), "/webhooks/whatsapp", message_form(MEMBER, "Aide"))
        )
    assert "<Message>liste</Message>" in helped.text
