"""Redis killed (SIGKILL, no persistence) in the middle of a paced fan-out and started again
empty on the same port: the scheduler's sweep requeues what the broker lost, and every delivery
reaches the platform exactly once.

Real pieces throughout: a redis-server process, a Dramatiq worker in this process, the Telegram
sender talking to the wire fake (which records every message it accepts), the bot-wide budget
of 30 messages a second on the Redis limiter, so most of the fan-out waits in the delay queue.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from structlog.testing import capture_logs

from hub.bootstrap import Hub
from hub.core.storage.orm import DeliveryRow
from hub.runtime import actors_for
from tests.builders import compose, wait_for, write_config
from tests.fakes.server import BackgroundServer
from tests.fakes.telegram import TOKEN, Chat, FakeTelegram
from tests.private_redis import PrivateRedis
from workers.processes import scheduler_tick, start_worker

GROUPS = 240
CHATS = [f"-100{7000 + n}" for n in range(GROUPS)]


@pytest.fixture
def telegram() -> Iterator[tuple[FakeTelegram, str]]:
    fake = FakeTelegram(chats={chat: Chat() for chat in CHATS})
    with BackgroundServer(fake.app()) as server:
        yield fake, server.url


def fan_out_config(directory: Path, api: str) -> Path:
    spaces = "\n".join(f'      g{n}: "{chat}"' for n, chat in enumerate(CHATS))
    return write_config(
        directory,
        f"""
community: {{id: crowded, name: Crowded, timezone: Europe/Paris, locale: en}}
platforms:
  telegram:
    token: ${{TELEGRAM_BOT_TOKEN}}
    api_base_url: {api}
    spaces:
{spaces}
rituals:
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [{", ".join(f"g{n}" for n in range(GROUPS))}]
    questions: ["What did you ship this week?"]
""",
    )


def sent_rows(hub: Hub) -> int:
    with hub.database.transaction() as session:
        query = select(func.count()).where(DeliveryRow.state == "sent")
        return int(session.scalar(query) or 0)


def test_a_redis_restart_mid_fan_out_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path,
    database_url: str,
    private_redis: PrivateRedis,
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake, api = telegram
    config = fan_out_config(tmp_path, api)
    hub = compose(config, database_url, private_redis.url, secrets={"TELEGRAM_BOT_TOKEN": TOKEN})
    actors = actors_for(hub)
    worker = start_worker(actors.deliver.broker, threads=4)
    try:
        actors.run_ritual.send(hub.scheduler().fire_now("crowded", "icebreaker"))
        wait_for(lambda: len(fake.sent) >= GROUPS // 5, 60, "the first sends")
        private_redis.kill()
        at_kill = len(fake.sent)
        private_redis.start()
        assert at_kill < GROUPS - 60, "the kill came too late to test anything"

        scheduler, polls = hub.scheduler(), itertools.count()
        with capture_logs() as logs:

            def all_sent() -> bool:
                if next(polls) % 10 == 0:  # a tick each half second, on the real clock
                    scheduler_tick(scheduler, actors)
                return sent_rows(hub) == GROUPS

            wait_for(all_sent, 120, "every delivery to be sent after the restart")
    finally:
        worker.stop()

    received = Counter(str(message["chat_id"]) for message in fake.sent)
    assert received == Counter(dict.fromkeys(CHATS, 1)), "a delivery was lost or sent twice"
    requeued = sum(int(e["count"]) for e in logs if e["event"] == "deliveries.requeued")
    assert requeued > 0, "nothing was requeued: the restart lost nothing?"
    print(f"\nsent before the kill: {at_kill}; requeued after the restart: {requeued}")
