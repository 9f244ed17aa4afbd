"""The walk from a Telegram webhook to the platform request: which rooms it enters, and how often.

A Telegram member types `/help@bot` in the group. The update goes through the web app, the
Telegram listener, the inbox, the queue, the inbound pipeline, the rituals, the planner, the
queue again, sending, and the Telegram sender to the fake Bot API. Every call in the hub's own
code is traced (`sys.setprofile`, in every thread) and put in its room (its folder: an adapter,
the web app, the workers, the use cases, the rituals, storage). A room is *re-entered* when a
call enters it while it is already on the call stack below another room: the walk went down a
layer and came back up (a callback), which is what the "each room once" target forbids. The
shared vocabulary (the model, the ports, the config) is called from every room and is left out.

Run: `.venv/bin/python bench/walk.py`. Needs REDIS_URL or starts an embedded Redis.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from starlette.testclient import TestClient  # noqa: E402

from bench.harness import workspace  # noqa: E402
from hub.runtime import actors_for, build_app  # noqa: E402
from tests.builders import compose, wait_for, write_config  # noqa: E402
from tests.fakes.server import BackgroundServer  # noqa: E402
from tests.fakes.telegram import TOKEN, Chat, FakeTelegram  # noqa: E402
from workers.processes import start_worker  # noqa: E402

GROUP = "-1001234567890"
SECRET = "hook_secret-12345678"
SHARED = {"model", "ports", "config"}
CONFIG = """
community: {{id: walk, name: Walk, timezone: Europe/Paris, locale: fr}}
server: {{public_url: "https://hub.example.org"}}
platforms:
  telegram:
    token: ${{TELEGRAM_BOT_TOKEN}}
    webhook_secret: ${{TELEGRAM_WEBHOOK_SECRET}}
    bot_username: hub_test_bot
    api_base_url: {url}
    spaces: {{main: "{group}"}}
rituals:
  welcome: {{spaces: [main]}}
"""


def room(filename: str) -> str | None:
    """The room a source file belongs to, or None outside the hub's own code."""
    path = Path(filename).resolve()
    try:
        parts = path.relative_to(ROOT).parts
    except ValueError:
        return None
    if parts[0] == "workers":
        return "workers"
    if parts[0] != "hub":
        return None
    if parts[1] == "adapters" and len(parts) > 3:
        return f"adapters/{parts[2]}"
    if parts[1] == "core" and len(parts) > 3:
        return parts[2]
    if parts[1] in {"runtime.py", "bootstrap.py"}:
        return "composition"
    return parts[1].removesuffix(".py")


class Tracer:
    """Counts, per thread, every entry into a room and every re-entry."""

    def __init__(self) -> None:
        self.entries: Counter[tuple[str, str]] = Counter()
        self.reentries: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()

    def __call__(self, frame: FrameType, event: str, _arg: Any) -> None:
        if event != "call":
            return
        callee = room(frame.f_code.co_filename)
        if callee is None or callee in SHARED:
            return
        below = self._rooms_below(frame.f_back)
        if not below or below[0] == callee:
            return
        with self.lock:
            self.entries[(below[0], callee)] += 1
            if callee in below[1:]:
                self.reentries[(below[0], callee)] += 1

    @staticmethod
    def _rooms_below(frame: FrameType | None) -> list[str]:
        """The rooms on the stack, nearest first, consecutive repeats collapsed."""
        found: list[str] = []
        while frame is not None:
            name = room(frame.f_code.co_filename)
            if name is not None and name not in SHARED and (not found or found[-1] != name):
                found.append(name)
            frame = frame.f_back
        return found


def walk() -> Tracer:
    """Run one `/hub help` from the Telegram group to the fake Bot API, traced."""
    fake = FakeTelegram(chats={GROUP: Chat()})
    tracer = Tracer()
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET}
    with workspace() as space, BackgroundServer(fake.app()) as server:
        folder = Path(tempfile.mkdtemp(dir=space.folder))
        config = write_config(folder, CONFIG.format(url=server.url, group=GROUP))
        hub = compose(config, space.database_url, space.redis_url, secrets=env)
        actors = actors_for(hub)
        threading.setprofile(tracer)
        worker = start_worker(actors.deliver.broker, threads=2)
        try:
            client = TestClient(build_app(hub, actors))
            sys.setprofile(tracer)
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": int(GROUP), "type": "supergroup", "title": "Walk"},
                    "from": {"id": 777, "is_bot": False, "first_name": "Zoé"},
                    "text": "/help@hub_test_bot",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 18}],
                },
            }
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            headers["Content-Type"] = "application/json"
            answer = client.post("/webhooks/telegram", content=json.dumps(update), headers=headers)
            if answer.status_code != 200:
                raise SystemExit(f"the webhook answered {answer.status_code}: {answer.text}")
            wait_for(lambda: fake.sent, timeout=120, what="the help answer")
        finally:
            sys.setprofile(None)
            threading.setprofile(None)  # type: ignore[arg-type]
            worker.stop()
    return tracer


def main() -> None:
    tracer = walk()
    print("entries (from room -> into room: calls)")
    for (source, target), count in sorted(tracer.entries.items()):
        print(f"  {source} -> {target}: {count}")
    total = sum(tracer.reentries.values())
    print(f"re-entries (into a room already on the stack): {total}")
    for (source, target), count in sorted(tracer.reentries.items()):
        print(f"  {source} -> {target}: {count}")


if __name__ == "__main__":
    main()
