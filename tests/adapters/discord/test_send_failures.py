"""Whose problem a failed Discord send is, a lost answer retried without a duplicate (the
nonce), and one session for every send (discord.py's HTTPClient against the fake Discord)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import redis
from pydantic import SecretStr

from hub.adapters.discord.sender import DiscordSender
from hub.adapters.discord.settings import DiscordSettings
from hub.adapters.transport import Timeouts
from hub.core.model.deliveries import Destination
from hub.core.model.messages import Outbound, SpaceTarget
from hub.core.model.richtext import parse_markup
from hub.core.ports import (
    AdapterResources,
    ConfigurationSendError,
    PermanentSendError,
    RecipientUnreachableError,
    SendError,
    TransientSendError,
    UncertainSendError,
)
from tests.adapters.discord.conftest import CLOSED, MAIN, ZOE
from tests.builders import free_port
from tests.fakes.discord import TOKEN, Channel, FakeDiscord, User
from tests.fakes.limits import Window
from tests.fakes.server import BackgroundServer
from tests.fakes.wire import Wire

SHORT = Timeouts(connect=1.0, read=0.5, total=1.0)
SPACE = Destination(community_id="c", platform="discord", address=MAIN, space="main")


def member(user: str) -> Destination:
    return Destination(
        community_id="c", platform="discord", address=user, private=True, member_id=1
    )


@pytest.fixture
def wired() -> Iterator[tuple[FakeDiscord, Wire, str]]:
    fake = FakeDiscord(
        channels={MAIN: Channel(name="general")},
        users={ZOE: User("zoe"), CLOSED: User("closed", dms_closed=True)},
        per_channel=Window(100, 5.0),  # these tests are about errors, not buckets
    )
    wire = Wire(fake.app())
    with BackgroundServer(wire) as server, wire:
        yield fake, wire, server.url


@pytest.fixture
async def make(redis_url: str) -> AsyncIterator[Callable[..., DiscordSender]]:
    redis.Redis.from_url(redis_url).flushdb()
    made: list[DiscordSender] = []

    def build(url: str, token: str = TOKEN) -> DiscordSender:
        settings = DiscordSettings(token=SecretStr(token), api_base_url=url, spaces={"main": MAIN})
        sender = DiscordSender(settings, AdapterResources(redis_url=redis_url))
        sender.timeouts = SHORT
        made.append(sender)
        return sender

    yield build
    for sender in made:
        await sender.close()


def payload(sender: DiscordSender, text: str = "Bonjour") -> dict[str, object]:
    outbound = Outbound(key="k", target=SpaceTarget(space="main"), body=parse_markup(text))
    (first,) = sender.render(outbound, SPACE)
    return first


@pytest.mark.parametrize(
    ("refusal", "destination", "kind"),
    [
        (None, member(CLOSED), RecipientUnreachableError),  # 50007
        (50001, SPACE, ConfigurationSendError),
        (50013, SPACE, ConfigurationSendError),
        (
            None,
            SPACE.__class__(community_id="c", platform="discord", address="4242"),
            ConfigurationSendError,
        ),  # 10003: a wrong channel id in the YAML
    ],
)
async def test_only_the_members_own_account_makes_them_unreachable(
    wired: tuple[FakeDiscord, Wire, str],
    make: Callable[..., DiscordSender],
    refusal: int | None,
    destination: Destination,
    kind: type[SendError],
) -> None:
    fake, _, url = wired
    fake.channels[MAIN].refusal = refusal
    sender = make(url)
    with pytest.raises(PermanentSendError) as caught:
        await sender.send(destination, payload(sender))
    assert type(caught.value) is kind


async def test_a_rejected_token_or_a_message_too_long_are_not_the_member(
    wired: tuple[FakeDiscord, Wire, str], make: Callable[..., DiscordSender]
) -> None:
    _, _, url = wired
    wrong = make(url, token="MTAwMQ.wrong.token")
    with pytest.raises(ConfigurationSendError):
        await wrong.send(member(ZOE), payload(wrong))
    sender = make(url)
    with pytest.raises(PermanentSendError) as caught:
        await sender.send(member(ZOE), {**payload(sender), "content": "x" * 2001})
    assert type(caught.value) is PermanentSendError


async def test_a_lost_answer_is_retried_and_the_nonce_keeps_it_single(
    wired: tuple[FakeDiscord, Wire, str], make: Callable[..., DiscordSender]
) -> None:
    fake, wire, url = wired
    sender = make(url)
    assert sender.capabilities.deduplicates  # the core retries an uncertain Discord send
    message = payload(sender)
    wire.stall(f"/channels/{MAIN}/messages")
    with pytest.raises(UncertainSendError):
        await sender.send(SPACE, message)
    assert wire.stalled == 1 and len(fake.in_channel(MAIN)) == 1  # Discord did post it
    again = await sender.send(SPACE, message)  # the core's retry, same payload and nonce
    assert len(fake.in_channel(MAIN)) == 1
    assert again.message_id == fake.in_channel(MAIN)[0]["id"]


async def test_a_refused_connection_is_transient(make: Callable[..., DiscordSender]) -> None:
    sender = make(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(TransientSendError):
        await sender.send(SPACE, payload(sender))


async def test_sends_share_one_connection(
    wired: tuple[FakeDiscord, Wire, str], make: Callable[..., DiscordSender]
) -> None:
    fake, wire, url = wired
    sender = make(url)
    for i in range(5):
        await sender.send(SPACE, payload(sender, f"n{i}"))
    await sender.send(member(ZOE), payload(sender))
    assert len(fake.sent) == 6
    assert len(wire.connections) == 1
