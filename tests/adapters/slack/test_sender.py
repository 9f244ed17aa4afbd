"""The real slack-sdk client against the fake Web API: sends, DMs, errors and rate limits."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from hub.adapters.slack.sender import SlackSender
from hub.adapters.slack.settings import SlackSettings
from hub.core.model.deliveries import Destination
from hub.core.model.messages import Outbound, SpaceTarget
from hub.core.model.richtext import parse_markup
from hub.core.ports import AdapterResources, PermanentSendError, TransientSendError
from tests.adapters.slack.conftest import SIGNING_SECRET
from tests.builders import send_paced
from tests.fakes.limits import Window
from tests.fakes.slack import FakeSlack

MAIN = Destination(community_id="c", platform="slack", address="C0MAIN", space="main")


def sender(url: str, token: str = "xoxb-test-token") -> SlackSender:
    settings = SlackSettings(
        bot_token=SecretStr(token),
        signing_secret=SecretStr(SIGNING_SECRET),
        api_base_url=url,
        spaces={"main": "C0MAIN"},
    )
    return SlackSender(settings, AdapterResources(redis_url="redis://unused"))


def payload(
    s: SlackSender, text: str = "Bonjour **tout le monde**", where: Destination = MAIN
) -> dict[str, object]:
    (first,) = s.render(
        Outbound(key="k", target=SpaceTarget(space="main"), body=parse_markup(text)), where
    )
    return first


async def test_posts_to_a_channel(slack: tuple[FakeSlack, str]) -> None:
    fake, url = slack
    s = sender(url)
    ref = await s.send(MAIN, payload(s))
    (message,) = fake.in_channel("C0MAIN")
    assert message["ts"] == ref.message_id
    assert message["blocks"][0]["text"]["text"] == "Bonjour *tout le monde*"


async def test_a_private_message_opens_the_conversation_first(slack: tuple[FakeSlack, str]) -> None:
    fake, url = slack
    s = sender(url)
    dm = Destination(community_id="c", platform="slack", address="U42", private=True, member_id=1)
    await s.send(dm, payload(s, where=dm))
    assert len(fake.in_channel("D42")) == 1


@pytest.mark.parametrize(
    ("arrange", "reason"),
    [
        (lambda f: f.channels.pop("C0MAIN"), "slack: channel_not_found"),
        (lambda f: f.channel("C0MAIN", bot_member=False), "slack: not_in_channel (invite the bot"),
        (lambda f: f.channel("C0MAIN", archived=True), "slack: is_archived"),
    ],
)
async def test_channel_problems_are_permanent_with_a_hint(
    slack: tuple[FakeSlack, str], arrange: object, reason: str
) -> None:
    fake, url = slack
    arrange(fake)  # type: ignore[operator]
    s = sender(url)
    with pytest.raises(PermanentSendError) as caught:
        await s.send(MAIN, payload(s))
    assert caught.value.reason.startswith(reason)


async def test_a_wrong_token_is_permanent_and_never_echoed(slack: tuple[FakeSlack, str]) -> None:
    _, url = slack
    s = sender(url, token="xoxb-wrong-SECRET")
    with pytest.raises(PermanentSendError) as caught:
        await s.send(MAIN, payload(s))
    assert caught.value.reason.startswith("slack: invalid_auth")
    assert "SECRET" not in caught.value.reason


async def test_a_429_is_transient_with_slacks_retry_after(slack: tuple[FakeSlack, str]) -> None:
    fake, url = slack
    fake.per_channel = Window(1, 3.0)  # a longer window than Slack's, so Retry-After says 3
    s = sender(url)
    await s.send(MAIN, payload(s))
    with pytest.raises(TransientSendError) as caught:
        await s.send(MAIN, payload(s))
    assert caught.value.retry_after == 3.0 and fake.rate_limited == 1


async def test_server_errors_are_transient(slack: tuple[FakeSlack, str]) -> None:
    fake, url = slack
    fake.fail_next.append((200, "internal_error"))
    s = sender(url)
    with pytest.raises(TransientSendError):
        await s.send(MAIN, payload(s))
    assert (await s.send(MAIN, payload(s))).message_id


async def test_a_burst_to_one_channel_is_paced_so_slack_never_says_429(
    slack: tuple[FakeSlack, str], redis_url: str, tmp_path: object
) -> None:
    import redis

    from hub.core.model.deliveries import Delivery, DeliveryState
    from hub.core.usecases.pacing import Pacer
    from hub.ratelimit import RedisRateLimiter

    fake, url = slack
    redis.Redis.from_url(redis_url).flushdb()
    s, pacer = sender(url), Pacer(RedisRateLimiter(redis_url))
    delivery = Delivery(
        id=1,
        idempotency_key="k",
        community_id="c",
        destination=MAIN,
        payload=payload(s),
        state=DeliveryState.SENDING,
        attempts=1,
    )

    await send_paced(s, pacer, delivery, 4)  # raises on any 429
    assert len(fake.in_channel("C0MAIN")) == 4
