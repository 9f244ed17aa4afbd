"""Ten thousand hostile requests across every endpoint of a real `hub run`.

The figure the README quotes comes from here: 0 × 5xx, 0 forged requests kept, every kept event
processed (none pending, none dead), and `/healthz` still ok.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.builders import hub_run, wait_for, write_config
from tests.fakes.server import BackgroundServer
from tests.fakes.slack import FakeSlack
from tests.hostile import (
    ENV,
    QUIET,
    ROOM,
    HostileRequest,
    all_platforms_yaml,
    any_request,
    from_forged_request,
    wire_headers,
)

REQUESTS = 10_000
SEED = 20261201


def post(client: httpx.Client, request: HostileRequest, token: str) -> int:
    headers = wire_headers(request, token)
    return client.post(request.path, content=request.body, headers=headers).status_code


def inbox(workdir: Path) -> list[tuple[str, str, int]]:
    """The kept events but delivery reports (on messages never sent, they wait 10 minutes for
    the send to be recorded, as a report that beat its send must)."""
    with sqlite3.connect(workdir / "var" / "hub.db") as connection:
        return list(
            connection.execute(
                "select event_id, state, attempts from inbox where kind != 'delivery_reported'"
            )
        )


def test_ten_thousand_hostile_requests_get_no_5xx_and_keep_only_signed_events(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    requests = [any_request(rng) for _ in range(REQUESTS)]
    slack = FakeSlack(token=ENV["SLACK_BOT_TOKEN"], users={"U1": "Zoé"})
    with BackgroundServer(slack.app()) as slack_api:
        config = write_config(tmp_path, all_platforms_yaml(slack_api.url, QUIET))
        with hub_run(config, tmp_path, env=ENV) as url:
            with (
                httpx.Client(base_url=url, timeout=30) as client,
                ThreadPoolExecutor(8) as pool,
            ):
                token = client.post(f"{ROOM}/join", json={"name": "Zoé"}).json()["token"]
                started = time.monotonic()
                answers = list(pool.map(lambda r: post(client, r, token), requests))
                took = time.monotonic() - started
            statuses = Counter(answers)
            print("statuses", json.dumps(sorted(statuses.items())), f"in {took:.1f} s")
            assert sum(n for status, n in statuses.items() if status >= 500) == 0, statuses
            wait_for(
                lambda: all(state != "pending" for _, state, _ in inbox(tmp_path)),
                timeout=240,
                what="every kept event to be processed",
            )
            kept = inbox(tmp_path)
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as health:
                assert health.status == 200
    print("kept", len(kept), "of", sum(r.signed for r in requests), "signed requests")
    assert [event_id for event_id, _, _ in kept if from_forged_request(event_id)] == []
    webchat_kept = [event_id for event_id, _, _ in kept if event_id.startswith("webchat:")]
    webchat_signed_ok = sum(
        r.signed and r.path.startswith(ROOM) and status < 300
        for r, status in zip(requests, answers, strict=True)
    )
    assert len(webchat_kept) <= webchat_signed_ok + 1  # + her own join: no forged token kept
    assert {state for _, state, _ in kept} == {"done"}
    assert [row for row in kept if row[2]] == []  # no attempt failed
    assert len(kept) > REQUESTS // 10  # the signed requests did reach the pipeline
