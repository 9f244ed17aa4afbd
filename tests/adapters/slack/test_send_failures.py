"""Whose problem a failed Slack send is, whether it may have been sent, and one kept session
for every send (the real slack-sdk AsyncWebClient against the fake Web API)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from pydantic import SecretStr

from hub.adapters.slack.sender import SlackSender
from hub.adapters.slack.settings import SlackSettings
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
from tests.adapters.slack.conftest import SIGNING_SECRET
from tests.builders import free_port
from tests.fakes.limits import Window
from tests.fakes.server import BackgroundServer
from tests.fakes.slack import BOT_USER, FakeSlack
from tests.fakes.wire import Wire

SHORT = Timeouts(connect=1.0, read=0.5, total=2.0)
MAIN = Destination(community_id="c", platform="slack", address="C0MAIN", space="main")
TEXT = {"text": "Bonjour"}


def member(user: str) -> Destination:
    return Destination(community_id="c", platform="slack", address=user, private=True, member_id=1)


@pytest.fixture
def wired() -> Iterator[tuple[FakeSlack, Wire, str]]:
    fake = FakeSlack(per_channel=Window(100, 1.0))  # about errors, not pacing
    fake.channel("C0MAIN")
    wire = Wire(fake.app())
    with BackgroundServer(wire) as server, wire:
        yield fake, wire, server.url


@pytest.fixture
async def make() -> AsyncIterator[Callable[..., SlackSender]]:
    made: list[SlackSender] = []

    def build(url: str, token: str = "xoxb-test-token") -> SlackSender:
        settings = SlackSettings(
            bot_token=SecretStr(token),
            signing_secret=SecretStr(SIGNING_SECRET),
            api_base_url=url,
            spaces={"main": "C0MAIN"},
        )
        sender = SlackSender(settings, AdapterResources(redis_url="redis://unused"))
        sender.timeouts = SHORT
        made.append(sender)
        return sender

    yield build
    for sender in made:
        await sender.close()


@pytest.mark.parametrize(
    ("arrange", "destination", "kind"),
    [
        (lambda f: f.disabled_users.add("U42"), member("U42"), RecipientUnreachableError),
        (lambda f: None, member(BOT_USER), RecipientUnreachableError),  # cannot_dm_bot
        (lambda f: f.channel("C0MAIN", bot_member=False), MAIN, ConfigurationSendError),
        (lambda f: f.channels.pop("C0MAIN"), MAIN, ConfigurationSendError),
        (lambda f: f.fail_next.append((200, "missing_scope")), MAIN, ConfigurationSendError),
        (lambda f: f.fail_next.append((200, "account_inactive")), MAIN, ConfigurationSendError),
        (lambda f: f.fail_next.append((200, "msg_too_long")), MAIN, PermanentSendError),
    ],
)
async def test_only_the_members_own_account_makes_them_unreachable(
    wired: tuple[FakeSlack, Wire, str],
    make: Callable[..., SlackSender],
    arrange: Callable[[FakeSlack], object],
    destination: Destination,
    kind: type[SendError],
) -> None:
    fake, _, url = wired
    arrange(fake)
    with pytest.raises(PermanentSendError) as caught:
        await make(url).send(destination, TEXT)
    assert type(caught.value) is kind


async def test_a_rejected_token_is_the_configuration_not_the_member(
    wired: tuple[FakeSlack, Wire, str], make: Callable[..., SlackSender]
) -> None:
    _, _, url = wired
    with pytest.raises(ConfigurationSendError):
        await make(url, token="xoxb-wrong").send(member("U42"), TEXT)


async def test_an_answer_lost_after_the_post_was_sent_is_uncertain_and_not_reposted(
    wired: tuple[FakeSlack, Wire, str], make: Callable[..., SlackSender]
) -> None:
    fake, wire, url = wired
    wire.stall("/chat.postMessage")
    with pytest.raises(UncertainSendError):
        await make(url).send(MAIN, TEXT)
    assert wire.stalled == 1
    assert len(fake.in_channel("C0MAIN")) == 1  # slack-sdk's own retry did not post it again


async def test_a_refused_connection_is_transient(make: Callable[..., SlackSender]) -> None:
    with pytest.raises(TransientSendError):
        await make(f"http://127.0.0.1:{free_port()}").send(MAIN, TEXT)


async def test_sends_share_one_connection(
    wired: tuple[FakeSlack, Wire, str], make: Callable[..., SlackSender]
) -> None:
    fake, wire, url = wired
    sender = make(url)
    for _ in range(5):
        await sender.send(MAIN, TEXT)
    await sender.send(member("U42"), TEXT)  # conversations.open, then the post
    assert len(fake.messages) == 6
    assert len(wire.connections) == 1  # slack-sdk alone opens a session (and a connection) per call
