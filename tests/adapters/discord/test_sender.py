"""discord.py's REST client against the fake Discord: messages, DMs, edits, errors, rate limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import redis
from pydantic import SecretStr

from hub.adapters.discord.sender import DiscordSender
from hub.adapters.discord.settings import DiscordSettings
from hub.core.model.deliveries import Delivery, DeliveryState, Destination
from hub.core.model.messages import Button, Outbound, Poll, SpaceTarget
from hub.core.model.richtext import Mention, Paragraph, RichText, Text, parse_markup
from hub.core.ports import AdapterResources, PermanentSendError, TransientSendError
from hub.core.usecases.pacing import Pacer
from hub.ratelimit import RedisRateLimiter
from tests.adapters.discord.conftest import CLOSED, MAIN, ZOE
from tests.builders import send_paced
from tests.fakes.discord import TOKEN, FakeDiscord
from tests.fakes.limits import Window

SPACE = Destination(community_id="c", platform="discord", address=MAIN, space="main")


def dm(user: str) -> Destination:
    return Destination(
        community_id="c", platform="discord", address=user, private=True, member_id=1
    )


@pytest.fixture
async def make_sender(
    discord_api: tuple[FakeDiscord, str], redis_url: str
) -> AsyncIterator[type[DiscordSender]]:
    redis.Redis.from_url(redis_url).flushdb()
    made: list[DiscordSender] = []

    def build(token: str = TOKEN, redis_db: str = redis_url) -> DiscordSender:
        settings = DiscordSettings(
            token=SecretStr(token), api_base_url=discord_api[1], spaces={"main": MAIN}
        )
        sender = DiscordSender(settings, AdapterResources(redis_url=redis_db))
        made.append(sender)
        return sender

    yield build  # type: ignore[misc]
    for sender in made:
        await sender.close()


async def send_all(
    sender: DiscordSender, outbound: Outbound, destination: Destination = SPACE
) -> list[str]:
    return [
        (await sender.send(destination, payload)).message_id
        for payload in sender.render(outbound, destination)
    ]


def message(markup: str, **extra: object) -> Outbound:
    return Outbound(key="k", target=SpaceTarget(space="main"), body=parse_markup(markup), **extra)  # type: ignore[arg-type]


async def test_a_message_with_a_mention_pings_only_that_member(
    discord_api: tuple[FakeDiscord, str], make_sender: type[DiscordSender]
) -> None:
    fake, _ = discord_api
    zoe = Mention(7, "Zoé", (("discord", ZOE),))
    body = RichText((Paragraph((Text("Bravo "), zoe, Text(" @everyone <@&1> Jean-Pierre"))),))
    await send_all(make_sender(), Outbound(key="k", target=SpaceTarget(space="main"), body=body))
    (sent,) = fake.in_channel(MAIN)
    assert sent["content"] == r"Bravo <@5000> \@everyone \<\@&1\> Jean\-Pierre"
    assert sent["allowed_mentions"]["parse"] == []
    assert sent["allowed_mentions"]["users"] == [int(ZOE)]
    assert sent["enforce_nonce"] is True


async def test_a_long_text_goes_out_as_several_accepted_messages(
    discord_api: tuple[FakeDiscord, str], make_sender: type[DiscordSender]
) -> None:
    fake, _ = discord_api
    fake.per_channel.count = 100  # the parts go in a tight loop here, without the hub's pacer
    text = "\n\n".join(f"Paragraphe {i} " + "mot " * 150 for i in range(8))
    ids = await send_all(make_sender(), message(text))
    assert len(ids) == len(fake.in_channel(MAIN)) > 1


async def test_buttons_become_components_and_polls_native_polls(
    discord_api: tuple[FakeDiscord, str], make_sender: type[DiscordSender]
) -> None:
    fake, _ = discord_api
    await send_all(
        make_sender(),
        message(
            "Votez",
            buttons=(Button(label="Oui", action="vote", value="1:0"),),
            poll=Poll(question="Q ?", options=("a", "b")),
        ),
    )
    with_buttons, poll = fake.in_channel(MAIN)
    (button,) = with_buttons["components"][0]["components"]
    assert (button["label"], button["custom_id"]) == ("Oui", "vote:1:0")
    assert poll["poll"]["question"] == {"text": "Q ?"}
    assert [a["poll_media"]["text"] for a in poll["poll"]["answers"]] == ["a", "b"]


async def test_a_retried_send_is_not_posted_twice(
    discord_api: tuple[FakeDiscord, str], make_sender: type[DiscordSender]
) -> None:
    fake, _ = discord_api
    sender = make_sender()
    (payload,) = sender.render(message("Une fois"), SPACE)
    first = await sender.send(SPACE, payload)
    again = await sender.send(SPACE, payload)  # e.g. after a worker died before recording
    assert first == again
    assert len(fake.in_channel(MAIN)) == 1


async def test_a_message_is_edited_in_place(
    discord_api: tuple[FakeDiscord, str], make_sender: type[DiscordSender]
) -> None:
    fake, _ = discord_api
    sender = make_sender()
    (sent_id,) = await send_all(sender, message("Oui: 0"))
    (payload,) = sender.render(message("Oui: 1"), SPACE)
    edited = await sender.send(SPACE, {**payload, "edit": sent_id})
    assert edited.message_id == sent_id
    assert fake.edits[0]["content"] == "Oui: 1"


async def test_a_dm_opens_the_members_dm_channel(
    discord_api: tuple[FakeDiscord, str], make_sender: type[DiscordSender]
) -> None:
    fake, _ = discord_api
    sender = make_sender()
    await send_all(sender, message("Bienvenue"), dm(ZOE))
    await send_all(sender, message("Étape 2"), dm(ZOE))
    assert [m["content"] for m in fake.dm_to(ZOE)] == ["Bienvenue", r"Étape 2"]


@pytest.mark.parametrize(
    ("destination", "code"),
    [
        (dm(CLOSED), "50007"),
        (SPACE.__class__(community_id="c", platform="discord", address="4242"), "10003"),
    ],
)
async def test_refusals_are_permanent_with_discords_code_and_a_hint(
    make_sender: type[DiscordSender], destination: Destination, code: str
) -> None:
    with pytest.raises(PermanentSendError) as caught:
        await send_all(make_sender(), message("Bonjour"), destination)
    assert code in caught.value.reason and "(" in caught.value.reason


async def test_a_wrong_token_fails_permanently_without_echoing_it(
    make_sender: type[DiscordSender],
) -> None:
    with pytest.raises(PermanentSendError) as caught:
        await send_all(make_sender(token="MTAwMQ.wrong.secret-value"), message("Bonjour"))
    assert "DISCORD_BOT_TOKEN" in caught.value.reason
    assert "secret-value" not in caught.value.reason


def _delivery(payload: dict[str, object], key: str) -> Delivery:
    return Delivery(
        id=1,
        idempotency_key=key,
        community_id="c",
        destination=SPACE,
        payload=payload,
        state=DeliveryState.SENDING,
        attempts=1,
    )


async def test_two_workers_pacing_one_channel_never_get_a_429(
    discord_api: tuple[FakeDiscord, str], make_sender: type[DiscordSender], redis_url: str
) -> None:
    fake, _ = discord_api
    workers = [make_sender(), make_sender()]  # two processes' clients, one Redis

    async def burst(sender: DiscordSender) -> None:
        for i in range(4):
            (payload,) = sender.render(message(f"n{i}"), SPACE)
            await send_paced(sender, Pacer(RedisRateLimiter(redis_url)), _delivery(payload, "k"), 1)

    await asyncio.gather(*(burst(w) for w in workers))
    assert len(fake.in_channel(MAIN)) == 8
    assert fake.rate_limited == 0


async def later(seconds: float, sender: DiscordSender, outbound: Outbound) -> list[str]:
    await asyncio.sleep(seconds)
    return await send_all(sender, outbound)


async def test_a_bucket_one_worker_exhausted_is_respected_by_another(
    discord_api: tuple[FakeDiscord, str], make_sender: type[DiscordSender]
) -> None:
    fake, _ = discord_api
    fake.per_channel = Window(2, 3.0)  # stricter than the hub's static pacing
    first, second = make_sender(), make_sender()  # two worker processes, one Redis
    await send_all(first, message("un"))
    with pytest.raises(TransientSendError) as caught:
        # "deux" exhausts the bucket (Remaining: 0); "trois" comes from the other worker
        await asyncio.gather(send_all(first, message("deux")), later(0.5, second, message("trois")))
    assert caught.value.retry_after is not None and 1 < caught.value.retry_after <= 3
    assert fake.rate_limited == 0
    assert len(fake.in_channel(MAIN)) == 2


async def test_a_429_is_retried_after_discords_retry_after(
    discord_api: tuple[FakeDiscord, str], make_sender: type[DiscordSender], redis_url: str
) -> None:
    fake, _ = discord_api
    fake.per_channel = Window(1, 2.0)
    first, second = make_sender(), make_sender()
    await send_all(first, message("zéro"))
    await asyncio.sleep(2.1)
    await asyncio.gather(
        send_all(first, message("un")),  # exhausts the bucket
        later(0.3, second, message("deux")),
        asyncio.to_thread(lambda: time.sleep(0.2) or redis.Redis.from_url(redis_url).flushdb()),
    )  # the bucket was not shared: "deux" gets a 429, sleeps retry_after, and goes through
    assert fake.rate_limited == 1
    assert len(fake.in_channel(MAIN)) == 3
