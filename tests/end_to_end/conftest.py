"""One community on Telegram, Discord and the webchat at once, each pointed at its wire fake,
with the composed hub (web app + worker): members on different apps act on each other."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from nacl.signing import SigningKey
from starlette.testclient import TestClient

from hub.adapters.webchat import streams
from hub.bootstrap import Hub
from hub.runtime import actors_for, build_app
from tests.builders import compose, wait_for, write_config
from tests.fakes.discord import TOKEN as DISCORD_TOKEN
from tests.fakes.discord import Channel, FakeDiscord, User, hub_command_payload
from tests.fakes.server import BackgroundServer
from tests.fakes.telegram import TOKEN, Chat, FakeTelegram
from workers.actors import Actors
from workers.processes import start_worker

GROUP = "-1001234567890"
CHANNEL = "3000"
ROOM = "salon"
SECRET = "hook_secret-12345678"
KEY = SigningKey.generate()
ENV = {
    "TELEGRAM_BOT_TOKEN": TOKEN,
    "TELEGRAM_WEBHOOK_SECRET": SECRET,
    "DISCORD_BOT_TOKEN": DISCORD_TOKEN,
    "DISCORD_PUBLIC_KEY": KEY.verify_key.encode().hex(),
}
COMMUNITY_YAML = """
community:
  id: inside-freelancing
  name: Inside Freelancing
  timezone: Europe/Paris
  locale: fr
  owners: ["telegram:999"]
server: {{public_url: "https://hub.example.org"}}
platforms:
  telegram:
    token: ${{TELEGRAM_BOT_TOKEN}}
    webhook_secret: ${{TELEGRAM_WEBHOOK_SECRET}}
    bot_username: hub_test_bot
    api_base_url: {telegram}
    spaces: {{main: "{group}"}}
  discord:
    token: ${{DISCORD_BOT_TOKEN}}
    public_key: ${{DISCORD_PUBLIC_KEY}}
    api_base_url: {discord}
    spaces: {{main: "{channel}"}}
  webchat:
    spaces: {{main: {room}}}
rituals:
{rituals}
"""


@dataclass
class Community:
    """The running hub and the fakes of every platform it serves."""

    hub: Hub
    actors: Actors
    client: TestClient
    telegram: FakeTelegram
    discord: FakeDiscord
    redis_url: str
    updates: int = 0

    def on_telegram(self, user_id: int, name: str, text: str, *, private: bool = False) -> None:
        """A Telegram member writes in the group (or to the bot privately)."""
        self.updates += 1
        user = {"id": user_id, "is_bot": False, "first_name": name}
        chat = (
            {"id": user_id, "type": "private"}
            if private
            else {"id": int(GROUP), "type": "supergroup", "title": "Inside"}
        )
        message: dict[str, Any] = {
            "message_id": self.updates,
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        body = json.dumps({"update_id": self.updates, "message": message}).encode()
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert (
            self.client.post("/webhooks/telegram", content=body, headers=headers).status_code == 200
        )

    def on_telegram_update(self, update: dict[str, Any]) -> None:
        """Telegram posts any update (a join, a button pressed…) to the webhook."""
        self.updates += 1
        body = json.dumps({"update_id": self.updates, **update}).encode()
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        response = self.client.post("/webhooks/telegram", content=body, headers=headers)
        assert response.status_code == 200

    def on_discord(self, user_id: str, words: str) -> None:
        """A Discord member types `/hub command:<words>` in the channel."""
        self.updates += 1
        self.on_discord_interaction(hub_command_payload(str(self.updates), CHANNEL, user_id, words))

    def on_discord_interaction(self, payload: dict[str, Any]) -> None:
        """Discord posts an interaction (a slash command, a button pressed) to the endpoint."""
        body = json.dumps(payload).encode()
        stamp = str(int(time.time()))
        headers = {
            "X-Signature-Ed25519": KEY.sign(stamp.encode() + body).signature.hex(),
            "X-Signature-Timestamp": stamp,
            "Content-Type": "application/json",
        }
        response = self.client.post("/webhooks/discord/interactions", content=body, headers=headers)
        assert response.status_code == 200

    def fire(self, ritual: str) -> None:
        self.actors.run_ritual.send(self.hub.scheduler().fire_now("inside-freelancing", ritual))

    def telegram_texts(self, chat: str = GROUP) -> list[str]:
        return [str(m["text"]) for m in self.telegram.in_chat(chat)]

    def discord_texts(self, channel: str = CHANNEL) -> list[str]:
        return [str(m["content"]) for m in self.discord.in_channel(channel)]

    def discord_dms(self, user_id: str) -> list[str]:
        return [str(m["content"]) for m in self.discord.dm_to(user_id)]

    def webchat_texts(self) -> list[str]:
        client = redis.Redis.from_url(self.redis_url)
        entries = client.xrange(streams.room_stream("inside-freelancing", ROOM))
        return [str(streams.decode(fields).get("text")) for _, fields in entries]

    def wait(self, predicate: Any, what: str) -> None:
        wait_for(predicate, timeout=30, what=what)


@pytest.fixture
def fakes() -> Iterator[tuple[FakeTelegram, str, FakeDiscord, str]]:
    telegram = FakeTelegram(chats={GROUP: Chat()})
    discord = FakeDiscord(
        channels={CHANNEL: Channel(name="general")},
        users={"5000": User("ana"), "5001": User("bob")},
    )
    with BackgroundServer(telegram.app()) as t, BackgroundServer(discord.app()) as d:
        discord.ws_url = f"ws://127.0.0.1:{d.port}/gateway"
        yield telegram, t.url, discord, d.url


def running(
    fakes: tuple[FakeTelegram, str, FakeDiscord, str],
    tmp_path: Path,
    redis_url: str,
    rituals: str,
    database_url: str | None = None,
) -> Iterator[Community]:
    telegram, telegram_url, discord, discord_url = fakes
    redis.Redis.from_url(redis_url).flushdb()
    yaml = COMMUNITY_YAML.format(
        telegram=telegram_url,
        discord=discord_url,
        group=GROUP,
        channel=CHANNEL,
        room=ROOM,
        rituals=rituals,
    )
    hub = compose(
        write_config(tmp_path, yaml),
        database_url or f"sqlite:///{tmp_path}/hub.db",
        redis_url,
        secrets=ENV,
    )
    actors = actors_for(hub)
    worker = start_worker(actors.deliver.broker, threads=4)
    try:
        with TestClient(build_app(hub, actors)) as client:
            yield Community(hub, actors, client, telegram, discord, redis_url)
    finally:
        worker.stop()
