"""`hub health`'s verdict: a fresh beat of this host's process, and dependencies that answer."""

from __future__ import annotations

from pathlib import Path

import redis

from hub.core.storage.db import Database
from workers.broker import make_broker
from workers.health import Heartbeat, Role, beating, check
from workers.processes import start_worker, worker_alive


def test_a_beat_is_healthy_until_its_process_stops(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'hub.db'}")
    assert check(database, redis_url, Role.WORKER) == [
        "no worker on this host has beaten in the last 30 s"
    ]
    heartbeat = Heartbeat(redis_url, Role.WORKER)
    heartbeat.beat()
    assert check(database, redis_url, Role.WORKER) == []
    assert check(database, redis_url, Role.SCHEDULER) != [], "one role's beat is not another's"
    assert 0 < int(redis_client.ttl(heartbeat.key)) <= 30
    heartbeat.stop()
    assert check(database, redis_url, Role.WORKER) != []


def test_a_process_whose_threads_died_does_not_beat(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'hub.db'}")
    with beating(redis_url, Role.GATEWAY, lambda: False):
        assert check(database, redis_url, Role.GATEWAY) != []
    with beating(redis_url, Role.GATEWAY):
        assert check(database, redis_url, Role.GATEWAY) == []


def test_a_database_or_broker_that_does_not_answer_is_named(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis
) -> None:
    unreachable = Database("postgresql+psycopg://hub:pw@127.0.0.1:1/hub?connect_timeout=2")
    with beating(redis_url, Role.WORKER):
        (problem,) = check(unreachable, redis_url, Role.WORKER)
    assert problem.startswith("the database does not answer (") and "pw" not in problem
    database = Database(f"sqlite:///{tmp_path / 'hub.db'}")
    (problem,) = check(database, f"unix://{tmp_path / 'no-redis.sock'}", Role.WORKER)
    assert problem.startswith("the broker does not answer (")


def test_a_worker_vouches_for_itself_while_its_threads_run(
    redis_url: str, redis_client: redis.Redis
) -> None:
    worker = start_worker(make_broker(redis_url), threads=1)
    assert worker_alive(worker)
    worker.stop()
    assert not worker_alive(worker)
