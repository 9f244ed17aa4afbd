"""Whose problem a failed WhatsApp send is, whether it may have been sent, and one kept session
for every send (the real twilio client against the fake Messages API)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from hub.adapters.transport import Timeouts
from hub.adapters.whatsapp.sender import WhatsAppSender
from hub.adapters.whatsapp.settings import WhatsAppSettings
from hub.core.model.deliveries import Destination
from hub.core.ports import (
    AdapterResources,
    ConfigurationSendError,
    PermanentSendError,
    RecipientUnreachableError,
    SendError,
    TransientSendError,
    UncertainSendError,
)
from tests.adapters.whatsapp.conftest import ENV, HUB_NUMBER, PUBLIC_URL, TEMPLATE_SID
from tests.builders import free_port
from tests.fakes.server import BackgroundServer
from tests.fakes.twilio import FakeTwilio
from tests.fakes.wire import Wire

SHORT = Timeouts(connect=1.0, read=0.5, total=2.0)
MEMBER = "whatsapp:+33612345678"
TO = Destination(community_id="c", platform="whatsapp", address=MEMBER, member_id=1, space="main")
TEXT = {"body": "Bonjour"}
TEMPLATE = {"content_sid": TEMPLATE_SID, "content_variables": {"1": "Zoé", "2": "Salut"}}


@pytest.fixture
def wired() -> Iterator[tuple[FakeTwilio, Wire, str]]:
    fake = FakeTwilio(templates={TEMPLATE_SID: 2})
    fake.member_wrote(MEMBER)
    wire = Wire(fake.app())
    with BackgroundServer(wire) as server, wire:
        yield fake, wire, server.url


@pytest.fixture
async def make() -> AsyncIterator[Callable[..., WhatsAppSender]]:
    made: list[WhatsAppSender] = []

    def build(url: str, token: str = ENV["TWILIO_AUTH_TOKEN"]) -> WhatsAppSender:
        settings = WhatsAppSettings.model_validate(
            {
                "account_sid": ENV["TWILIO_ACCOUNT_SID"],
                "auth_token": SecretStr(token),
                "from": HUB_NUMBER,
                "api_base_url": url,
                "spaces": {"main": "membres"},
            }
        )
        resources = AdapterResources(redis_url="redis://unused", public_url=PUBLIC_URL)
        sender = WhatsAppSender(settings, resources)
        sender.timeouts = SHORT
        made.append(sender)
        return sender

    yield build
    for sender in made:
        await sender.close()


def refuse(status: int, code: int, message: str) -> Callable[[FakeTwilio], None]:
    return lambda fake: fake.fail_next.append((status, code, message))


@pytest.mark.parametrize(
    ("arrange", "payload", "kind"),
    [
        (lambda f: f.unsubscribe(MEMBER), TEXT, RecipientUnreachableError),  # 21610: STOP
        (refuse(400, 63003, "Channel could not find To address"), TEXT, RecipientUnreachableError),
        (refuse(400, 63024, "Invalid message recipient"), TEXT, RecipientUnreachableError),
        (lambda f: f.senders.clear(), TEXT, ConfigurationSendError),  # 63007
        (lambda f: f.templates.clear(), TEMPLATE, ConfigurationSendError),  # 21655
        (lambda f: f.templates.update({TEMPLATE_SID: 3}), TEMPLATE, ConfigurationSendError),
        (refuse(400, 63027, "Template does not exist"), TEMPLATE, ConfigurationSendError),
        (lambda f: None, {"body": "x" * 1601}, PermanentSendError),  # 21617
        (refuse(400, 21211, "Invalid 'To' Phone Number"), TEXT, PermanentSendError),
    ],
)
async def test_only_the_members_own_account_makes_them_unreachable(
    wired: tuple[FakeTwilio, Wire, str],
    make: Callable[..., WhatsAppSender],
    arrange: Callable[[FakeTwilio], object],
    payload: dict[str, Any],
    kind: type[SendError],
) -> None:
    fake, _, url = wired
    arrange(fake)
    with pytest.raises(PermanentSendError) as caught:
        await make(url).send(TO, payload)
    assert type(caught.value) is kind


async def test_a_rejected_token_is_the_configuration_not_the_member(
    wired: tuple[FakeTwilio, Wire, str], make: Callable[..., WhatsAppSender]
) -> None:
    _, _, url = wired
    with pytest.raises(ConfigurationSendError):  # 20003: a whole list must not empty itself
        await make(url, token="not-the-token-123").send(TO, TEXT)


async def test_an_answer_lost_after_the_request_was_sent_is_uncertain(
    wired: tuple[FakeTwilio, Wire, str], make: Callable[..., WhatsAppSender]
) -> None:
    fake, wire, url = wired
    wire.stall("/Messages.json")
    with pytest.raises(UncertainSendError):
        await make(url).send(TO, TEXT)
    assert wire.stalled == 1
    assert len(fake.sent_to(MEMBER)) == 1  # Twilio took it: sending again would duplicate


async def test_a_refused_connection_is_transient(make: Callable[..., WhatsAppSender]) -> None:
    with pytest.raises(TransientSendError):
        await make(f"http://127.0.0.1:{free_port()}").send(TO, TEXT)


async def test_sends_share_one_connection_and_concurrent_ones_a_small_pool(
    wired: tuple[FakeTwilio, Wire, str], make: Callable[..., WhatsAppSender]
) -> None:
    fake, wire, url = wired
    sender = make(url)
    for _ in range(5):
        await sender.send(TO, TEXT)
    assert len(wire.connections) == 1  # twilio's pool_connections=False opened one per send
    refs = await asyncio.gather(*(sender.send(TO, TEXT) for _ in range(20)))
    assert len({ref.message_id for ref in refs}) == 20  # no answer mixed with another's
    assert len(fake.sent_to(MEMBER)) == 25
    assert len(wire.connections) <= 20
