"""A Redis that dies during a burst of WhatsApp messages loses none of them (Twilio never
retries an inbound message), and answers each exactly once when it is back; a database that
cannot keep an event says 503 with Retry-After, never a 500."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from starlette.testclient import TestClient

from hub.bootstrap import Hub
from hub.core.storage.orm import InboxRow
from hub.runtime import actors_for, build_app
from tests.adapters.whatsapp.conftest import (
    ENV,
    PUBLIC_URL,
    TEMPLATE_SID,
    WHATSAPP_YAML,
    message_form,
    signed,
)
from tests.builders import compose, free_port, wait_for, write_config
from tests.fakes.twilio import FakeTwilio
from tests.private_redis import PrivateRedis
from workers.processes import scheduler_tick, start_worker

MEMBERS = [f"whatsapp:+3361111{n:04d}" for n in range(30)]


def write(client: TestClient, fake: FakeTwilio, sender: str, body: str) -> int:
    fake.member_wrote(sender)
    content, headers = signed(fake, "/webhooks/whatsapp", message_form(sender, body))
    return client.post("/webhooks/whatsapp", content=content, headers=headers).status_code


def test_a_redis_killed_during_a_burst_loses_no_message_and_answers_each_once(
    tmp_path: Path,
    database_url: str,
    private_redis: PrivateRedis,
    twilio: tuple[FakeTwilio, str],
) -> None:
    fake, url = twilio
    yaml = WHATSAPP_YAML.format(public_url=PUBLIC_URL, url=url, mps=80, template=TEMPLATE_SID)
    hub = compose(write_config(tmp_path, yaml), database_url, private_redis.url, secrets=ENV)
    actors = actors_for(hub)
    worker = start_worker(actors.deliver.broker, threads=4)
    try:
        with TestClient(build_app(hub, actors)) as client:
            statuses = [write(client, fake, m, "hub help") for m in MEMBERS[:10]]
            private_redis.kill()
            statuses += [write(client, fake, m, "hub help") for m in MEMBERS[10:20]]
            private_redis.start()
            statuses += [write(client, fake, m, "hub help") for m in MEMBERS[20:]]
        assert statuses == [200] * len(MEMBERS)  # each one kept before Twilio heard "received"
        # The scheduler, a minute on, hands over what the dead broker never took or lost.
        later = hub.scheduler(clock=lambda: datetime.now(UTC) + timedelta(minutes=1))

        ticks = itertools.count()

        def answered() -> bool:
            if next(ticks) % 10 == 0:  # as the scheduler would, each half second
                scheduler_tick(later, actors)
            return all(fake.delivered_to(m) for m in MEMBERS)

        wait_for(answered, timeout=60, what="every answer")
        wait_for(lambda: pending(hub) == 0, what="the inbox to empty")
    finally:
        worker.stop()
    assert [len(fake.delivered_to(m)) for m in MEMBERS] == [1] * len(MEMBERS)


def pending(hub: Hub) -> int:
    with hub.database.transaction() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(InboxRow).where(InboxRow.state != "done")
            )
        )


def test_a_database_that_cannot_keep_the_event_is_a_503_with_retry_after(
    tmp_path: Path, redis_url: str
) -> None:
    yaml = WHATSAPP_YAML.format(
        public_url=PUBLIC_URL, url="http://127.0.0.1:9", mps=80, template=TEMPLATE_SID
    )
    nowhere = f"postgresql+psycopg://hub@127.0.0.1:{free_port()}/hub"
    hub = compose(write_config(tmp_path, yaml), nowhere, redis_url, upgrade=False, secrets=ENV)
    with TestClient(build_app(hub, actors_for(hub))) as client:
        content, headers = signed(
            FakeTwilio(), "/webhooks/whatsapp", message_form(MEMBERS[0], "Hi")
        )
        response = client.post("/webhooks/whatsapp", content=content, headers=headers)
    assert response.status_code == 503 and response.headers["retry-after"] == "10"
