"""The webchat sender on a real Redis: a resend of one payload is written once (the delivery
may be retried after a timeout), and a Redis that is not there is a transient failure."""

from __future__ import annotations

import pytest
import redis
from pydantic import SecretStr

from hub.adapters.webchat.sender import WebchatSender
from hub.adapters.webchat.settings import WebchatSettings
from hub.adapters.webchat.streams import decode, room_stream
from hub.core.model.deliveries import Destination
from hub.core.model.messages import Outbound, SpaceTarget
from hub.core.model.richtext import parse_markup
from hub.core.ports import AdapterResources, TransientSendError
from tests.builders import TEST_WEBCHAT_SECRET, free_port

ROOM = Destination(community_id="c", platform="webchat", address="salon", space="main")


def sender(redis_url: str) -> WebchatSender:
    settings = WebchatSettings(secret=SecretStr(TEST_WEBCHAT_SECRET), spaces={"main": "salon"})
    return WebchatSender(settings, AdapterResources(redis_url=redis_url))


def payload(s: WebchatSender, text: str = "Bienvenue") -> dict[str, object]:
    outbound = Outbound(key="k", target=SpaceTarget(space="main"), body=parse_markup(text))
    (first,) = s.render(outbound, ROOM)
    return first


async def test_a_resent_payload_is_written_once(redis_url: str, redis_client: redis.Redis) -> None:
    s = sender(redis_url)
    assert s.capabilities.deduplicates  # so the core retries a webchat send that timed out
    try:
        message = payload(s)
        first = await s.send(ROOM, message)
        again = await s.send(ROOM, message)  # the retry of a send whose answer was lost
        other = await s.send(ROOM, payload(s, "Bienvenue"))  # the same text, another message
    finally:
        await s.close()
    assert first == again != other
    entries = redis_client.xrange(room_stream("c", "salon"))
    assert [i.decode() for i, _ in entries] == [first.message_id, other.message_id]
    assert "nonce" not in decode(entries[0][1])  # the page never sees it


async def test_an_unreachable_redis_is_transient() -> None:
    s = sender(f"redis://127.0.0.1:{free_port()}/0")
    try:
        with pytest.raises(TransientSendError):
            await s.send(ROOM, payload(s))
    finally:
        await s.close()
