"""Whose problem a failed Telegram send is, whether it may have been sent, and one pool of
connections for every send (the real PTB Bot against the fake Bot API)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from pydantic import SecretStr

from hub.adapters.telegram.sender import TelegramSender
from hub.adapters.telegram.settings import TelegramSettings
from hub.adapters.transport import Timeouts
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
from tests.adapters.telegram.conftest import GROUP
from tests.builders import free_port
from tests.fakes.limits import Window
from tests.fakes.server import BackgroundServer
from tests.fakes.telegram import TOKEN, Chat, FakeTelegram
from tests.fakes.wire import Wire

SHORT = Timeouts(connect=1.0, read=0.5, total=2.0)
TEXT = {"method": "sendMessage", "text": "Bonjour", "parse_mode": "HTML"}


def member(address: str) -> Destination:
    return Destination(
        community_id="c", platform="telegram", address=address, private=True, member_id=1
    )


def space(address: str = GROUP) -> Destination:
    return Destination(community_id="c", platform="telegram", address=address, space="main")


@pytest.fixture
def wired() -> Iterator[tuple[FakeTelegram, Wire, str]]:
    fake = FakeTelegram(  # these tests are about errors, not pacing
        chats={GROUP: Chat()}, per_chat=Window(100, 1.0), per_group=Window(100, 60.0)
    )
    wire = Wire(fake.app())
    with BackgroundServer(wire) as server, wire:  # held answers go before the server stops
        yield fake, wire, server.url


@pytest.fixture
async def make() -> AsyncIterator[Callable[..., TelegramSender]]:
    made: list[TelegramSender] = []

    def build(url: str, token: str = TOKEN) -> TelegramSender:
        settings = TelegramSettings(token=SecretStr(token), api_base_url=url, spaces={})
        sender = TelegramSender(settings, AdapterResources(redis_url="redis://unused"))
        sender.timeouts = SHORT
        made.append(sender)
        return sender

    yield build
    for sender in made:
        await sender.close()


@pytest.mark.parametrize(
    ("chat", "destination", "kind"),
    [
        (Chat(type="private", blocked=True), member("77"), RecipientUnreachableError),
        (
            Chat(type="private", forbidden="user is deactivated"),
            member("77"),
            RecipientUnreachableError,
        ),
        (
            Chat(type="private", forbidden="bot can't initiate conversation with a user"),
            member("77"),
            RecipientUnreachableError,
        ),
        (None, member("78"), RecipientUnreachableError),  # "chat not found": never started it
        (
            Chat(forbidden="bot was kicked from the supergroup chat"),
            space("-77"),
            ConfigurationSendError,
        ),
        (None, space("-78"), ConfigurationSendError),  # a wrong group id in the YAML
    ],
)
async def test_only_the_members_own_account_makes_them_unreachable(
    wired: tuple[FakeTelegram, Wire, str],
    make: Callable[..., TelegramSender],
    chat: Chat | None,
    destination: Destination,
    kind: type[SendError],
) -> None:
    fake, _, url = wired
    if chat is not None:
        fake.chats[destination.address] = chat
    with pytest.raises(PermanentSendError) as caught:
        await make(url).send(destination, TEXT)
    assert type(caught.value) is kind


async def test_a_rejected_token_is_the_configuration_not_the_member(
    wired: tuple[FakeTelegram, Wire, str], make: Callable[..., TelegramSender]
) -> None:
    _, _, url = wired
    with pytest.raises(ConfigurationSendError):
        await make(url, token="999:WRONG").send(member("77"), TEXT)


async def test_a_message_too_long_is_only_this_message(
    wired: tuple[FakeTelegram, Wire, str], make: Callable[..., TelegramSender]
) -> None:
    _, _, url = wired
    with pytest.raises(PermanentSendError) as caught:
        await make(url).send(space(), {**TEXT, "text": "x" * 5000})
    assert type(caught.value) is PermanentSendError


async def test_an_answer_lost_after_the_request_was_sent_is_uncertain(
    wired: tuple[FakeTelegram, Wire, str], make: Callable[..., TelegramSender]
) -> None:
    fake, wire, url = wired
    sender = make(url)
    await sender.send(space(), TEXT)  # connected and warmed up
    wire.stall("/sendMessage")
    with pytest.raises(UncertainSendError):
        await sender.send(space(), TEXT)
    assert wire.stalled == 1
    assert len(fake.in_chat(GROUP)) == 2  # Telegram did post it: sending again would duplicate


async def test_a_refused_connection_is_transient(make: Callable[..., TelegramSender]) -> None:
    with pytest.raises(TransientSendError):
        await make(f"http://127.0.0.1:{free_port()}").send(space(), TEXT)


async def test_sends_share_one_connection(
    wired: tuple[FakeTelegram, Wire, str], make: Callable[..., TelegramSender]
) -> None:
    fake, wire, url = wired
    sender = make(url)
    for _ in range(6):
        await sender.send(space(), TEXT)
    assert len(fake.in_chat(GROUP)) == 6
    assert len(wire.connections) == 1  # getMe and six sendMessage on one TCP connection
