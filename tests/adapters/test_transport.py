"""One client per event loop: a sender used from a second loop (a test runner's, or a worker
restarted in-process) makes a new session there instead of reusing the first loop's sockets."""

from __future__ import annotations

import asyncio

from pydantic import SecretStr

from hub.adapters.slack.sender import SlackSender
from hub.adapters.slack.settings import SlackSettings
from hub.core.model.deliveries import Destination
from hub.core.ports import AdapterResources
from tests.fakes.limits import Window
from tests.fakes.server import BackgroundServer
from tests.fakes.slack import FakeSlack
from tests.fakes.wire import Wire

MAIN = Destination(community_id="c", platform="slack", address="C0MAIN", space="main")


def test_each_event_loop_gets_its_own_session() -> None:
    fake = FakeSlack(per_channel=Window(100, 1.0))  # about connections, not pacing
    fake.channel("C0MAIN")
    wire = Wire(fake.app())
    settings = SlackSettings(
        bot_token=SecretStr(fake.token),
        signing_secret=SecretStr("s" * 32),
        spaces={"main": "C0MAIN"},
    )

    async def twice(sender: SlackSender) -> None:
        await sender.send(MAIN, {"text": "un"})
        await sender.send(MAIN, {"text": "deux"})

    with BackgroundServer(wire) as server, wire:
        settings = settings.model_copy(update={"api_base_url": server.url})
        sender = SlackSender(settings, AdapterResources(redis_url="redis://unused"))
        asyncio.run(twice(sender))  # its loop closes without closing the session...
        asyncio.run(twice(sender))  # ...which must not be used from this one
        asyncio.run(sender.close())
    assert len(fake.in_channel("C0MAIN")) == 4
    assert len(wire.connections) == 2  # one per loop, each reused for both sends
