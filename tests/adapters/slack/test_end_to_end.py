"""The whole hub with Slack pointed at the fake: welcome, /hub help and the icebreaker."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from starlette.testclient import TestClient

from hub.bootstrap import Hub
from hub.runtime import actors_for, build_app
from tests.adapters.slack.conftest import SLACK_YAML, signed
from tests.builders import compose, wait_for, write_config
from tests.fakes.slack import FakeSlack
from workers.actors import Actors
from workers.processes import start_worker

ENV = {
    "SLACK_BOT_TOKEN": "xoxb-test-token",
    "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
}


@contextmanager
def hub_on_fake_slack(
    slack: tuple[FakeSlack, str], tmp_path: Path, redis_url: str, yaml: str
) -> Iterator[tuple[FakeSlack, TestClient, Hub, Actors]]:
    """The composed hub (web app and a worker) with Slack pointed at the fake."""
    fake, url = slack
    redis.Redis.from_url(redis_url).flushdb()
    config = write_config(tmp_path, yaml.format(url=url))
    hub = compose(config, f"sqlite:///{tmp_path}/hub.db", redis_url, secrets=ENV)
    actors = actors_for(hub)
    worker = start_worker(actors.deliver.broker, threads=4)
    try:
        yield fake, TestClient(build_app(hub, actors)), hub, actors
    finally:
        worker.stop()


@pytest.fixture
def running_hub(
    slack: tuple[FakeSlack, str], tmp_path: Path, redis_url: str
) -> Iterator[tuple[FakeSlack, TestClient, Hub, Actors]]:
    with hub_on_fake_slack(slack, tmp_path, redis_url, SLACK_YAML) as running:
        yield running


def test_a_member_joining_a_channel_is_welcomed_there_and_in_a_dm(
    running_hub: tuple[FakeSlack, TestClient, Hub, Actors],
) -> None:
    fake, client, _, _ = running_hub
    fake.users["U777"] = "Zoé"
    event = {
        "type": "event_callback",
        "event_id": "EvJoin",
        "event_time": int(time.time()),
        "authorizations": [{"user_id": "U0BOT", "is_bot": True}],
        "event": {"type": "member_joined_channel", "user": "U777", "channel": "C0MAIN"},
    }
    body = json.dumps(event).encode()
    headers = {**signed(body), "Content-Type": "application/json"}
    assert client.post("/webhooks/slack/events", content=body, headers=headers).status_code == 200
    assert (
        client.post(
            "/webhooks/slack/events", content=body, headers={**headers, "X-Slack-Retry-Num": "1"}
        ).status_code
        == 200
    )
    wait_for(lambda: fake.in_channel("C0MAIN") and fake.in_channel("D777"))
    time.sleep(1)  # Slack's retry has been processed too
    (public,) = fake.in_channel("C0MAIN")
    assert public["blocks"][0]["text"]["text"].startswith(
        "Bienvenue <@U777> dans *Inside Freelancing*"
    )
    (private,) = fake.in_channel("D777")
    assert private["text"].startswith("Bonjour Zoé !")


def test_hub_help_answers_in_the_channel(
    running_hub: tuple[FakeSlack, TestClient, Hub, Actors],
) -> None:
    fake, client, _, _ = running_hub
    form = urlencode(
        {
            "command": "/hub",
            "text": "help",
            "user_id": "U1",
            "user_name": "zoe",
            "channel_id": "C0MAIN",
            "trigger_id": "T1",
        }
    ).encode()
    response = client.post(
        "/webhooks/slack/events",
        content=form,
        headers={**signed(form), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    wait_for(lambda: fake.in_channel("C0MAIN"))
    assert "`/hub help` — affiche cette aide" in fake.in_channel("C0MAIN")[0]["text"]


def test_the_icebreaker_reaches_every_slack_space(
    running_hub: tuple[FakeSlack, TestClient, Hub, Actors],
) -> None:
    fake, _, hub, actors = running_hub
    actors.run_ritual.send(hub.scheduler().fire_now("inside-freelancing", "icebreaker"))
    wait_for(lambda: fake.in_channel("C0MAIN") and fake.in_channel("C0NEWS"))
    assert all(
        "Question de la semaine" in fake.in_channel(c)[0]["text"] for c in ("C0MAIN", "C0NEWS")
    )


POLL_YAML = (
    SLACK_YAML
    + """
  poll:
    schedule: "0 9 * * FRI"
    spaces: [main, annonces]
    question: Apéro jeudi ?
    options: [Oui, Non]
"""
)


@pytest.fixture
def polling_hub(
    slack: tuple[FakeSlack, str], tmp_path: Path, redis_url: str
) -> Iterator[tuple[FakeSlack, TestClient, Hub, Actors]]:
    with hub_on_fake_slack(slack, tmp_path, redis_url, POLL_YAML) as running:
        yield running


def test_a_poll_is_buttons_whose_tally_is_updated_in_every_channel(
    polling_hub: tuple[FakeSlack, TestClient, Hub, Actors],
) -> None:
    fake, client, hub, actors = polling_hub
    actors.run_ritual.send(hub.scheduler().fire_now("inside-freelancing", "poll"))
    wait_for(lambda: fake.in_channel("C0MAIN") and fake.in_channel("C0NEWS"))
    (poll,) = fake.in_channel("C0MAIN")
    yes = poll["blocks"][-1]["elements"][0]
    assert yes["text"]["text"] == "Oui"
    click = {
        "type": "block_actions",
        "user": {"id": "U5"},
        "channel": {"id": "C0MAIN"},
        "message": {"ts": poll["ts"]},
        "actions": [{"value": yes["value"], "action_ts": "1.5"}],
    }
    form = urlencode({"payload": json.dumps(click)}).encode()
    headers = {**signed(form), "Content-Type": "application/x-www-form-urlencoded"}
    assert client.post("/webhooks/slack/events", content=form, headers=headers).status_code == 200
    wait_for(
        lambda: all(
            "Oui — 1 vote" in (fake.in_channel(c)[0]["text"] or "") for c in ("C0MAIN", "C0NEWS")
        )
    )
    assert len(fake.in_channel("C0MAIN")) == 1  # edited in place, not posted again


def _slash(client: TestClient, text: str, user: str, trigger: str) -> None:
    form = urlencode(
        {
            "command": "/hub",
            "text": text,
            "user_id": user,
            "user_name": user.lower(),
            "channel_id": "C0MAIN",
            "trigger_id": trigger,
        }
    ).encode()
    headers = {**signed(form), "Content-Type": "application/x-www-form-urlencoded"}
    assert client.post("/webhooks/slack/events", content=form, headers=headers).status_code == 200


def test_a_kudos_typed_with_a_slack_mention_reaches_the_member_it_names(
    slack: tuple[FakeSlack, str], tmp_path: Path, redis_url: str
) -> None:
    """Slack sends `<@U777|zoe>`; the translator makes it the neutral `@{U777}`, which the
    points ritual resolves to the member with that Slack account, and pings back on Slack."""
    with hub_on_fake_slack(slack, tmp_path, redis_url, SLACK_YAML + "  points: {{}}\n") as running:
        fake, client, _, _ = running
        _slash(client, "help", "U777", "T0")  # Zoé is a member of the community now
        wait_for(lambda: fake.in_channel("C0MAIN"))
        _slash(client, "kudos <@U777|zoe> merci pour la relecture", "U1", "T1")
        wait_for(lambda: len(fake.in_channel("C0MAIN")) == 2)
        thanks = fake.in_channel("C0MAIN")[1]["blocks"][0]["text"]["text"]
        assert thanks.startswith("🙌 Merci <@U777> !") and "merci pour la relecture" in thanks
