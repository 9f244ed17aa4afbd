"""Time from a Redis restart (SIGKILL, no persistence) to every delivery of a fan-out sent.

    .venv/bin/python bench/redis_restart.py [--groups 300] [--kill-at 0.2] [--down 0] [--code DIR]

One ritual to N Telegram groups (the wire fake in tests/fakes, bot-wide 30 messages/s, so most
deliveries wait for their slot in the delay queue), sent by a `hub worker` process, with a
`hub scheduler` process on its default 10 s tick. When a fraction of the groups have their
message, redis-server is killed, stays down `--down` seconds and is started again empty on the
same port; the script measures
the time from Redis being back to the last delivery sent, the floor the bot-wide limit sets
for what was left, what the scheduler logged as requeued, and the messages each group got.

`--code DIR` runs the two processes on another checkout (e.g. the main branch, for the figure
before the change). Uses DATABASE_URL when set, else SQLite in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import states
from hub.runtime import actors_for
from tests.builders import HUB, compose, write_config
from tests.fakes.server import BackgroundServer
from tests.fakes.telegram import TOKEN, Chat, FakeTelegram
from tests.private_redis import PrivateRedis

BOT_PER_SECOND = 30


def config(directory: Path, chats: list[str], api: str) -> Path:
    spaces = "\n".join(f'      g{n}: "{chat}"' for n, chat in enumerate(chats))
    names = ", ".join(f"g{n}" for n in range(len(chats)))
    return write_config(
        directory,
        f"""
community: {{id: bench, name: Bench, timezone: UTC, locale: en}}
platforms:
  telegram:
    token: ${{TELEGRAM_BOT_TOKEN}}
    api_base_url: {api}
    spaces:
{spaces}
rituals:
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [{names}]
    questions: ["What did you ship this week?"]
""",
    )


def requeued(log: Path) -> int:
    """What the scheduler logged as requeued (its JSON log lines)."""
    found = re.findall(r'\{"count": (\d+), "event": "deliveries\.requeued"', log.read_text())
    return sum(int(n) for n in found)


def until(predicate: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--kill-at", type=float, default=0.2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--down", type=float, default=0.0, help="seconds Redis stays down")
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hub-bench-restart-"))
    chats = [f"-100{7000 + n}" for n in range(args.groups)]
    fake = FakeTelegram(chats={chat: Chat() for chat in chats})
    server = PrivateRedis(work)
    server.start()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{work}/hub.db"
    with BackgroundServer(fake.app()) as api:
        path = config(work, chats, api.url)
        hub = compose(path, database_url, server.url, secrets={"TELEGRAM_BOT_TOKEN": TOKEN})
        env = {
            **os.environ,
            "PYTHONPATH": str(args.code),
            "REDIS_URL": server.url,
            "DATABASE_URL": database_url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
        }
        logs = {name: work / f"{name}.log" for name in ("worker", "scheduler")}
        commands = {
            "worker": [HUB, "worker", "--config", str(path), "--threads", str(args.threads)],
            "scheduler": [HUB, "scheduler", "--config", str(path)],
        }
        processes = [
            subprocess.Popen(
                commands[n], env=env, stdout=logs[n].open("wb"), stderr=subprocess.STDOUT
            )
            for n in commands
        ]
        try:
            store = redis.Redis.from_url(server.url)
            until(lambda: store.exists("hub:__heartbeats__"), 60)  # the worker consumes
            actors_for(hub).run_ritual.send(hub.scheduler().fire_now("bench", "icebreaker"))
            until(lambda: len(fake.sent) >= args.groups * args.kill_at, 120)
            server.kill()
            at_kill = len(fake.sent)
            time.sleep(args.down)
            server.start()
            back = time.monotonic()
            at_restart = states(hub)
            until(lambda: states(hub).get("sent", 0) == args.groups, 600)
            recovery = time.monotonic() - back
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=60)
            server.kill()
    left = args.groups - at_kill
    per_group = Counter(Counter(str(m["chat_id"]) for m in fake.sent).values())
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"code: {args.code}; database: {database}; groups: {args.groups}")
    print(f"sent before the kill: {at_kill}; states when Redis was back: {json.dumps(at_restart)}")
    print(f"Redis back -> all sent: {recovery:.1f} s")
    print(f"floor set by the bot-wide limit for the {left} left: {left / BOT_PER_SECOND:.1f} s")
    print(f"requeued (scheduler log): {requeued(logs['scheduler'])}")
    print(f"messages per group -> groups: {dict(sorted(per_group.items()))}")


if __name__ == "__main__":
    main()
