"""The real python-telegram-bot Bot against the fake Bot API: sends, polls, edits, errors."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import SecretStr

from hub.adapters.telegram.sender import TelegramSender
from hub.adapters.telegram.settings import TelegramSettings
from hub.core.model.deliveries import Destination
from hub.core.model.messages import Outbound, Poll, SpaceTarget
from hub.core.model.richtext import parse_markup
from hub.core.ports import (
    AdapterResources,
    AddressMovedError,
    PermanentSendError,
    TransientSendError,
)
from tests.adapters.telegram.conftest import GROUP
from tests.builders import send_paced
from tests.fakes.telegram import TOKEN, Chat, FakeTelegram

MAIN = Destination(community_id="c", platform="telegram", address=GROUP, space="main")


def sender(url: str, token: str = TOKEN) -> TelegramSender:
    settings = TelegramSettings(token=SecretStr(token), api_base_url=url, spaces={"main": GROUP})
    return TelegramSender(settings, AdapterResources(redis_url="redis://unused"))


async def send_all(
    s: TelegramSender, markup: str, destination: Destination = MAIN, **extra: object
) -> list[str]:
    message = Outbound(
        key="k", target=SpaceTarget(space="main"), body=parse_markup(markup), **extra
    )  # type: ignore[arg-type]
    return [
        (await s.send(destination, payload)).message_id
        for payload in s.render(message, destination)
    ]


async def test_sends_html_that_telegram_accepts(telegram: tuple[FakeTelegram, str]) -> None:
    fake, url = telegram
    await send_all(sender(url), "Bienvenue **Jean-Pierre** ! C'est top (1.5x) <script>")
    (message,) = fake.in_chat(GROUP)
    assert message["text"] == "Bienvenue <b>Jean-Pierre</b> ! C'est top (1.5x) &lt;script&gt;"


async def test_a_long_text_goes_out_as_several_valid_messages(
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake, url = telegram
    fake.per_chat.count = 10  # the parts go in a tight loop here, without the hub's pacer
    ids = await send_all(sender(url), "\n\n".join("**Bloc** " + "x" * 1500 for _ in range(6)))
    assert len(ids) == len(fake.in_chat(GROUP)) >= 3


async def test_polls_are_native_and_not_anonymous(telegram: tuple[FakeTelegram, str]) -> None:
    fake, url = telegram
    fake.per_chat.count = 2  # text then poll in a tight loop here, without the hub's pacer
    await send_all(sender(url), "Sondage", poll=Poll(question="Jeudi ?", options=("Oui", "Non")))
    poll = fake.in_chat(GROUP)[-1]
    assert (
        poll["question"] == "Jeudi ?"
        and poll["is_anonymous"] is False
        and poll["options"] == ["Oui", "Non"]
    )


async def test_a_message_can_be_edited_in_place(telegram: tuple[FakeTelegram, str]) -> None:
    fake, url = telegram
    s = sender(url)
    (message_id,) = await send_all(s, "Avant")
    await s.send(
        MAIN,
        {"method": "sendMessage", "text": "<b>Après</b>", "parse_mode": "HTML", "edit": message_id},
    )
    assert (
        fake.edits[-1]["text"] == "<b>Après</b>" and str(fake.edits[-1]["message_id"]) == message_id
    )


@pytest.mark.parametrize(
    ("chat", "reason"),
    [
        ("7", "telegram: Chat not found"),
        ("blocked", "telegram: Forbidden: bot was blocked by the user"),
    ],
)
async def test_unreachable_chats_are_permanent_failures(
    telegram: tuple[FakeTelegram, str], chat: str, reason: str
) -> None:
    fake, url = telegram
    fake.chats["-42"] = Chat(
        blocked=chat == "blocked", migrated_to=-100555 if chat == "migrated" else None
    )
    address = "-42" if chat != "7" else "7"
    with pytest.raises(PermanentSendError) as caught:
        await send_all(
            sender(url),
            "Bonjour",
            Destination(community_id="c", platform="telegram", address=address),
        )
    assert caught.value.reason.startswith(reason)


async def test_a_429_is_transient_with_telegrams_retry_after(
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake, url = telegram
    fake.per_group.count = 1  # the group's minute is spent after one message
    s = sender(url)
    await send_all(s, "un")
    with pytest.raises(TransientSendError) as caught:
        await send_all(s, "deux")
    assert caught.value.retry_after == 60


async def test_a_wrong_token_fails_permanently_without_echoing_it(
    telegram: tuple[FakeTelegram, str],
) -> None:
    _, url = telegram
    with pytest.raises(PermanentSendError) as caught:
        await send_all(sender(url, token="999:WRONG-SECRET"), "Bonjour")
    assert "WRONG-SECRET" not in caught.value.reason


async def test_a_migrated_group_reports_its_new_address(telegram: tuple[FakeTelegram, str]) -> None:
    fake, url = telegram
    fake.chats["-42"] = Chat(type="group", migrated_to=-100555)
    with pytest.raises(AddressMovedError) as caught:
        await send_all(
            sender(url),
            "Bonjour",
            Destination(community_id="c", platform="telegram", address="-42"),
        )
    assert caught.value.new_address == "-100555"


async def test_sends_to_one_private_chat_are_paced_so_telegram_never_says_429(
    telegram: tuple[FakeTelegram, str], redis_url: str
) -> None:
    import redis

    from hub.core.model.deliveries import Delivery, DeliveryState
    from hub.core.usecases.pacing import Pacer
    from hub.ratelimit import RedisRateLimiter

    fake, url = telegram
    fake.chats["777"] = Chat(type="private")
    redis.Redis.from_url(redis_url).flushdb()
    s = sender(url)
    dm = Destination(
        community_id="c", platform="telegram", address="777", private=True, member_id=1
    )
    (payload,) = s.render(
        Outbound(key="k", target=SpaceTarget(space="main"), body=parse_markup("Salut")), dm
    )
    delivery = Delivery(
        id=1,
        idempotency_key="k",
        community_id="c",
        destination=dm,
        payload=payload,
        state=DeliveryState.SENDING,
        attempts=1,
    )
    # The first send of an event loop asks getMe first: warm the bot on another chat, so what
    # is measured is the pacing between sends, not that one-off round trip (decision 015).
    fake.chats["778"] = Chat(type="private")
    await s.send(replace(dm, address="778", member_id=2), payload)
    await send_paced(s, Pacer(RedisRateLimiter(redis_url)), delivery, 3)  # raises on any 429
    assert len(fake.in_chat("777")) == 3
