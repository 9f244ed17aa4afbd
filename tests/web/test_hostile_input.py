"""No request, however hostile, gets a 5xx; none unsigned is kept; every signed one is processed.

Requests are drawn per endpoint from `tests.hostile`: real payload shapes mutated with the
values that used to break the hub (deep nesting, 5,000-digit numbers, other scripts' digits,
NUL, lone surrogates, names of thousands of characters, wrong types), signed or forged.
"""

from __future__ import annotations

import contextlib
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from starlette.testclient import TestClient

from hub.core.storage.orm import IdentityRow, InboxRow
from hub.core.usecases.inbox import NotYet
from tests.hostile import (
    PLATFORMS,
    TELEGRAM_SECRET,
    HostileRequest,
    slack_headers,
    telegram_update,
    wire_headers,
)
from tests.web.conftest import WebHub


def send(client: TestClient, request: HostileRequest, token: str = "") -> int:
    """POST the request, with a member's `token` where it carries one."""
    response = client.post(request.path, content=request.body, headers=wire_headers(request, token))
    return response.status_code


def process_pending(web: WebHub) -> list[str]:
    """Run the pipeline on every kept event; the states they end in (a report on a message the
    hub never sent waits, as it would for a send not yet recorded)."""
    with web.hub.database.transaction() as session:
        ids = list(session.scalars(select(InboxRow.id).where(InboxRow.state == "pending")))
    for inbox_id in ids:
        with contextlib.suppress(NotYet):
            web.hub.inbox.process(inbox_id, web.hub.service.handle_event)
    with web.hub.database.transaction() as session:
        rows = session.scalars(select(InboxRow).where(InboxRow.id.in_(ids))).all()
        assert [r.last_error for r in rows if r.attempts] == []
        return [r.state if r.kind != "delivery_reported" else "done" for r in rows]


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rng=st.randoms(use_true_random=False))
def test_no_hostile_request_gets_a_5xx_and_unsigned_ones_keep_nothing(
    web_hub: WebHub, platform: str, rng: random.Random
) -> None:
    request = PLATFORMS[platform](rng)
    before = len(web_hub.kept.events)
    client = web_hub.client
    status = send(client, request, web_hub.token)
    assert status < 500, request
    if not request.signed:
        assert status in (401, 403) and len(web_hub.kept.events) == before, request
    assert set(process_pending(web_hub)) <= {"done"}


def test_deeply_nested_json_with_the_right_secret_is_a_400(web_hub: WebHub) -> None:
    body = b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    client = web_hub.client
    assert client.post("/webhooks/telegram", content=body, headers=headers).status_code == 400
    assert web_hub.kept.events == []


@pytest.mark.parametrize("stamp", ["9" * 5000, "١٧٠٠٠٠٠٠٠٠", "1e9", " 1700000000"])
def test_a_malformed_slack_timestamp_is_a_401_before_anything_else(
    web_hub: WebHub, stamp: str
) -> None:
    body = b'{"type": "event_callback"}'
    request = HostileRequest(
        "/webhooks/slack/events", body, slack_headers(body, stamp=stamp), signed=False
    )
    client = web_hub.client
    assert send(client, request) == 401
    assert web_hub.kept.events == []


def test_nul_lone_surrogates_and_endless_names_are_cleaned_and_processed(
    web_hub: WebHub,
) -> None:
    update = telegram_update(random.Random(1), signed=True)
    update["message"] = {
        "message_id": 12,
        "date": 1_700_000_000,
        "chat": {"id": -1001, "type": "supergroup", "title": "G"},
        "from": {"id": 9, "is_bot": False, "first_name": "N\x00a\ud800" + "m" * 5000},
        "text": "Bon\x00jour \udfff à tous",
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    body = json.dumps(update).encode()  # lone surrogates travel as \\ud800 escapes
    client = web_hub.client
    assert client.post("/webhooks/telegram", content=body, headers=headers).status_code == 200
    assert process_pending(web_hub) == ["done"]  # PostgreSQL refused NUL: retried, then lost
    with web_hub.hub.database.transaction() as session:
        identity = session.scalars(select(IdentityRow).where(IdentityRow.user_id == "9")).one()
    assert identity.display_name.startswith("Na\ufffdmmm") and len(identity.display_name) == 100


def test_an_id_too_long_to_store_is_a_400_and_nothing_is_kept(web_hub: WebHub) -> None:
    update = telegram_update(random.Random(2), signed=True)
    update["update_id"] = 10**300  # "telegram:1000…": more than an event id can hold
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    client = web_hub.client
    response = client.post("/webhooks/telegram", content=json.dumps(update), headers=headers)
    assert response.status_code == 400 and web_hub.kept.events == []
