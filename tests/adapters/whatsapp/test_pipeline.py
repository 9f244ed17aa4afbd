"""The composed hub (web app + worker) with WhatsApp pointed at the fake Twilio.

Joining by keyword, STOP and START, the 24-hour window (free-form, template, held, released),
numbered poll answers, status callbacks and the dry run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select, update
from starlette.testclient import TestClient
from structlog.testing import capture_logs
from typer.testing import CliRunner

from hub.bootstrap import Hub
from hub.cli import app as cli
from hub.core.storage.orm import DeliveryRow, IdentityRow, RitualStateRow
from hub.runtime import actors_for, build_app
from tests.adapters.whatsapp.conftest import (
    ENV,
    PUBLIC_URL,
    TEMPLATE_SID,
    WHATSAPP_YAML,
    message_form,
    signed,
)
from tests.builders import compose, wait_for, write_config
from tests.fakes.twilio import FakeTwilio
from workers.actors import Actors
from workers.processes import start_worker

ANA, BEN, CLEO = (f"whatsapp:+3361234{n:04d}" for n in (1, 2, 3))
POLL = """
  poll:
    schedule: "0 9 * * FRI"
    spaces: [main]
    question: Apéro jeudi ?
    options: [Oui, Non]
"""


@dataclass
class Running:
    fake: FakeTwilio
    client: TestClient
    hub: Hub
    actors: Actors
    config: Path

    def write(self, sender: str, body: str, **extra: str) -> Any:
        """A member writes to the hub's number; Twilio posts the signed webhook."""
        self.fake.member_wrote(sender)
        form = message_form(sender, body, ProfileName=f"M{sender[-1]}", **extra)
        content, headers = signed(self.fake, "/webhooks/whatsapp", form)
        return self.client.post("/webhooks/whatsapp", content=content, headers=headers)

    def fire(self, ritual: str) -> None:
        self.actors.run_ritual.send(self.hub.scheduler().fire_now("inside-freelancing", ritual))

    def callbacks(self) -> int:
        def post(url: str, params: dict[str, str], headers: dict[str, str]) -> None:
            path = url.removeprefix(PUBLIC_URL)
            assert self.client.post(path, data=params, headers=headers).status_code == 204

        return self.fake.flush_callbacks(post)

    def deliveries(self, address: str) -> list[DeliveryRow]:
        with self.hub.database.transaction() as session:
            rows = session.scalars(
                select(DeliveryRow).where(DeliveryRow.address == address).order_by(DeliveryRow.id)
            )
            return list(rows)

    def last_wrote(self, address: str, hours_ago: float) -> None:
        """Arrange that the member last wrote `hours_ago` (the hub's record and Twilio's)."""
        at = datetime.now(UTC) - timedelta(hours=hours_ago)
        with self.hub.database.transaction() as session:
            session.execute(
                update(IdentityRow).where(IdentityRow.user_id == address).values(last_seen_at=at)
            )
        self.fake.member_wrote(address, at=at.timestamp())

    def join(self, *senders: str) -> None:
        """Each member texts the join keyword and gets the welcome."""
        for sender in senders:
            assert "Te voilà sur la liste" in self.write(sender, "JOIN").text
        wait_for(lambda: all(self.fake.delivered_to(s) for s in senders), what="the welcomes")

    def dry_run(self, ritual: str, database_url: str) -> str:
        env = {**ENV, "DATABASE_URL": database_url, "REDIS_URL": self.hub.redis_url}
        result = CliRunner().invoke(
            cli, ["ritual", "run", ritual, "--dry-run", "--config", str(self.config)], env=env
        )
        assert result.exit_code == 0, result.output
        return result.output

    def opted_out(self, address: str) -> bool:
        with self.hub.database.transaction() as session:
            row = session.scalars(select(IdentityRow).where(IdentityRow.user_id == address)).one()
            return row.opted_out_at is not None

    def votes(self) -> dict[str, Any]:
        with self.hub.database.transaction() as session:
            state = session.get_one(RitualStateRow, ("inside-freelancing", "poll"))
            return {k: v["votes"] for k, v in state.data["polls"].items()}


@pytest.fixture
def running(twilio: tuple[FakeTwilio, str], tmp_path: Path, redis_url: str) -> Iterator[Running]:
    fake, url = twilio
    redis.Redis.from_url(redis_url).flushdb()
    yaml = WHATSAPP_YAML.format(public_url=PUBLIC_URL, url=url, mps=80, template=TEMPLATE_SID)
    config = write_config(tmp_path, yaml + POLL)
    hub = compose(config, f"sqlite:///{tmp_path}/hub.db", redis_url, secrets=ENV)
    actors = actors_for(hub)
    worker = start_worker(actors.deliver.broker, threads=4)
    try:
        with TestClient(build_app(hub, actors)) as client:
            yield Running(fake, client, hub, actors, config)
    finally:
        worker.stop()


def bodies(fake: FakeTwilio, address: str) -> list[str]:
    return [m.get("Body") or f"template {m['ContentSid']}" for m in fake.delivered_to(address)]


def test_a_member_texting_the_join_keyword_gets_the_welcome_privately_and_nobody_else_does(
    running: Running,
) -> None:
    running.join(BEN)
    running.join(ANA)
    (welcome,) = bodies(running.fake, ANA)
    assert welcome.startswith("Bonjour M1 ! Pour bien démarrer dans *Inside Freelancing*")
    time.sleep(1)
    assert len(running.fake.sent_to(BEN)) == 1  # no public greeting fanned out to the list


def test_the_icebreaker_reaches_members_inside_the_window_and_uses_the_template_for_the_others(
    running: Running, tmp_path: Path
) -> None:
    running.join(ANA, BEN)
    running.last_wrote(BEN, hours_ago=30)
    preview = running.dry_run("icebreaker", f"sqlite:///{tmp_path}/hub.db")
    assert "1 member inside the 24-hour window, 1 outside (1 by approved template" in preview
    with capture_logs() as logs:
        running.fire("icebreaker")
        wait_for(
            lambda: len(bodies(running.fake, ANA)) == 2 and len(bodies(running.fake, BEN)) == 2
        )
    (window,) = [line for line in logs if line["event"] == "delivery.reply_window"]
    assert (window["inside"], window["outside"], window["by_template"]) == (1, 1, 1)
    assert "Premier client ?" in bodies(running.fake, ANA)[1]
    template = running.fake.delivered_to(BEN)[1]
    assert template["ContentSid"] == TEMPLATE_SID and "Body" not in template
    assert '"1": "M2"' in template["ContentVariables"]
    assert "Premier client ?" in template["ContentVariables"]


def test_without_a_template_a_message_is_held_until_the_member_writes_then_sent(
    running: Running, tmp_path: Path
) -> None:
    running.join(ANA, BEN)
    running.last_wrote(BEN, hours_ago=30)
    preview = running.dry_run("poll", f"sqlite:///{tmp_path}/hub.db")
    assert "1 held until they write" in preview and "held until the member writes" in preview
    running.fire("poll")
    wait_for(lambda: len(bodies(running.fake, ANA)) == 2, what="the poll")
    assert bodies(running.fake, ANA)[1].endswith(
        "1. Oui\n2. Non\n\n_Réponds avec le numéro de ton choix._"
    )
    (held,) = [d for d in running.deliveries(BEN) if d.ritual == "poll"]
    assert held.state == "held" and "24-hour reply window" in (held.last_error or "")
    assert len(running.fake.sent_to(BEN)) == 1  # nothing sent in breach of the window
    running.write(BEN, "Coucou, je suis de retour")
    wait_for(lambda: len(bodies(running.fake, BEN)) == 2, what="the held poll")
    assert "Apéro jeudi ?" in bodies(running.fake, BEN)[1]


def test_a_numbered_answer_votes_in_the_poll(running: Running) -> None:
    running.join(ANA)
    running.fire("poll")
    wait_for(lambda: len(bodies(running.fake, ANA)) == 2, what="the poll")
    running.write(ANA, "2")
    wait_for(lambda: any(running.votes().values()), what="the vote")
    (votes,) = running.votes().values()
    assert list(votes.values()) == [1]  # "2" is the second option: Non


def test_stop_stops_everything_for_that_member_at_once_and_start_opts_back_in(
    running: Running,
) -> None:
    running.join(ANA, CLEO)
    running.last_wrote(CLEO, hours_ago=30)
    running.fire("poll")
    wait_for(lambda: len(bodies(running.fake, ANA)) == 2, what="the poll")
    assert "Tu ne recevras plus de messages" in running.write(CLEO, "Stop").text
    wait_for(
        lambda: all(d.state in ("sent", "skipped") for d in running.deliveries(CLEO)),
        what="the held poll to be skipped",
    )
    running.fire("icebreaker")
    wait_for(lambda: len(bodies(running.fake, ANA)) == 3, what="the icebreaker")
    time.sleep(1.5)
    assert len(running.fake.sent_to(CLEO)) == 1  # the welcome only: no template, no text
    skipped = [d for d in running.deliveries(CLEO) if d.state == "skipped"]
    assert skipped and all(d.last_error == "the member opted out" for d in skipped)
    assert "Re-bonjour" in running.write(CLEO, "START").text
    wait_for(lambda: not running.opted_out(CLEO), what="the START to be processed")
    running.fire("poll")
    wait_for(lambda: len(bodies(running.fake, CLEO)) == 2, what="the poll after START")


def test_status_callbacks_update_deliveries_and_a_window_refusal_is_held(running: Running) -> None:
    running.join(ANA, BEN)
    running.fake.member_wrote(BEN, at=time.time() - 30 * 3600)  # Twilio's window closed early
    assert running.callbacks() >= 2
    wait_for(
        lambda: [d.platform_status for d in running.deliveries(ANA)] == ["delivered"],
        what="the delivered status",
    )
    running.fire("poll")
    wait_for(lambda: len(running.fake.sent_to(BEN)) == 2, what="the poll to Ben")
    running.callbacks()
    wait_for(lambda: running.deliveries(BEN)[-1].state == "held", what="63016 to hold it")
    assert "twilio 63016" in (running.deliveries(BEN)[-1].last_error or "")
    running.write(BEN, "Je suis là")
    wait_for(lambda: len(bodies(running.fake, BEN)) == 2, what="the poll sent again")
