"""Long polling: without a public URL, updates are fetched with getUpdates and enqueued once."""

from __future__ import annotations

import asyncio

from pydantic import SecretStr

from hub.adapters.telegram.listener import TelegramListener
from hub.adapters.telegram.polling import TelegramPoller
from hub.adapters.telegram.sender import make_bot
from hub.adapters.telegram.settings import TelegramSettings
from hub.core.model.events import Event, MemberJoined
from hub.core.ports import AdapterResources, ListenerSetup
from tests.adapters.telegram.conftest import GROUP
from tests.fakes.telegram import TOKEN, FakeTelegram

USER = {"id": 9, "is_bot": False, "first_name": "Ana"}


def join(update_id: int) -> dict[str, object]:
    chat = {"id": int(GROUP), "type": "supergroup", "title": "G"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": chat,
            "from": USER,
            "new_chat_members": [USER],
        },
    }


async def test_polled_updates_are_enqueued_once_and_the_offset_moves_on(
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake, url = telegram
    received: list[Event] = []
    settings = TelegramSettings(token=SecretStr(TOKEN), api_base_url=url, spaces={"main": GROUP})
    poller = TelegramPoller(
        make_bot(settings), "inside-freelancing", {GROUP: "main"}, None, received.append
    )
    fake.updates += [join(10), join(11)]
    assert await poller.poll_once(timeout=0) == 2
    assert await poller.poll_once(timeout=0) == 0
    assert [type(e) for e in received] == [MemberJoined, MemberJoined]
    assert poller.offset == 12


async def test_the_background_loop_removes_a_webhook_then_polls(
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake, url = telegram
    fake.webhook = "https://old.example.org/webhooks/telegram"
    received: list[Event] = []
    settings = TelegramSettings(token=SecretStr(TOKEN), api_base_url=url, spaces={"main": GROUP})
    poller = TelegramPoller(
        make_bot(settings), "inside-freelancing", {GROUP: "main"}, None, received.append
    )
    listener = TelegramListener([], received.append, [poller])
    fake.updates.append(join(20))
    stop = asyncio.Event()
    task = asyncio.create_task(listener.background(stop))
    for _ in range(100):
        if received:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, timeout=30)
    assert fake.webhook is None
    assert len(received) == 1


def test_without_a_public_url_the_listener_polls_instead_of_serving_a_webhook() -> None:
    settings = TelegramSettings(
        token=SecretStr(TOKEN),
        webhook_secret=SecretStr("s3cret-webhook-secret"),
        spaces={"main": GROUP},
    )

    class Runtime:
        class community:
            id = "inside-freelancing"

    private = AdapterResources(redis_url="redis://x")
    listener = TelegramListener.from_setup(ListenerSetup([(Runtime(), settings)], private, ignore))
    assert len(listener.pollers) == 1 and listener.communities == []
    public = AdapterResources(redis_url="redis://x", public_url="https://h.example.org")
    served = TelegramListener.from_setup(ListenerSetup([(Runtime(), settings)], public, ignore))
    assert served.pollers == [] and len(served.communities) == 1


def ignore(event: object) -> None:
    """An enqueue for listeners whose events the test does not read."""
