"""The fakes hold senders to the platforms' published limits and answer 429 as each platform does.

The windows' counts are the published defaults; where a test needs N+1 requests inside one
window on a busy machine, it lengthens that window (same count, same code) instead of racing
the clock.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.discord import TOKEN as DISCORD_TOKEN
from tests.fakes.discord import Channel, FakeDiscord
from tests.fakes.limits import SendLog, Window, admit, max_in_window
from tests.fakes.server import BackgroundServer
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import TOKEN as TELEGRAM_TOKEN
from tests.fakes.telegram import Chat, FakeTelegram
from tests.fakes.twilio import FakeTwilio

# ---- the sliding window, at its boundaries ---------------------------------------------------


def test_a_window_admits_n_then_refuses_until_the_oldest_leaves_it() -> None:
    window = Window(3, 1.0)
    assert [admit([(window, "k")], at) for at in (10.0, 10.2, 10.4)] == [0.0, 0.0, 0.0]
    assert admit([(window, "k")], 10.999) == pytest.approx(0.001)
    assert admit([(window, "other")], 10.999) == 0.0
    assert admit([(window, "k")], 11.0) == 0.0  # 10.0 has left [10.0, 11.0)
    assert admit([(window, "k")], 11.1) == pytest.approx(0.1)  # 10.2 leaves at 11.2


def test_a_request_refused_by_one_window_spends_nothing_from_the_others() -> None:
    wide, narrow = Window(30, 1.0), Window(1, 1.0)
    assert admit([(wide, "bot"), (narrow, "chat")], 0.0) == 0.0
    assert admit([(wide, "bot"), (narrow, "chat")], 0.1) == pytest.approx(0.9)
    assert wide.used("bot", 0.1) == 1


def test_max_in_window_counts_the_busiest_second() -> None:
    assert max_in_window([0.0, 0.5, 0.99, 1.0, 1.2, 3.0]) == 4  # 0.5, 0.99, 1.0, 1.2
    assert max_in_window([]) == 0


def test_the_defaults_are_the_published_limits() -> None:
    telegram, slack, discord, twilio = FakeTelegram(), FakeSlack(), FakeDiscord(), FakeTwilio()
    assert (telegram.per_bot.count, telegram.per_bot.seconds) == (30, 1.0)
    assert (telegram.per_chat.count, telegram.per_chat.seconds) == (1, 1.0)
    assert (telegram.per_group.count, telegram.per_group.seconds) == (20, 60.0)
    assert (slack.per_channel.count, slack.per_channel.seconds) == (1, 1.0)
    assert (discord.per_bot.count, discord.per_bot.seconds) == (50, 1.0)
    assert (discord.per_channel.count, discord.per_channel.seconds) == (5, 5.0)
    assert (twilio.per_sender.count, twilio.per_sender.seconds) == (80, 1.0)


# ---- on the wire ---------------------------------------------------------------------------


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10, trust_env=False) as client:
        yield client


def serve(app: object) -> BackgroundServer:
    return BackgroundServer(app)


def test_telegram_says_429_with_retry_after_past_one_message_per_second_in_a_chat(
    http: httpx.Client,
) -> None:
    fake = FakeTelegram(chats={"7": Chat(type="private")})
    with serve(fake.app()) as server:
        url = f"{server.url}/bot{TELEGRAM_TOKEN}/sendMessage"
        first = http.post(url, data={"chat_id": "7", "text": "un"})
        second = http.post(url, data={"chat_id": "7", "text": "deux"})
    assert first.status_code == 200 and second.status_code == 429
    assert second.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert fake.rate_limited == 1 and len(fake.sent) == 1 and len(fake.log.requests) == 2


def test_telegram_holds_a_group_to_twenty_messages_a_minute(http: httpx.Client) -> None:
    fake = FakeTelegram(chats={"-100": Chat()})
    fake.per_chat = Window(1, 0.001)  # only the group's minute is under test here
    with serve(fake.app()) as server:
        url = f"{server.url}/bot{TELEGRAM_TOKEN}/sendMessage"
        answers = [http.post(url, data={"chat_id": "-100", "text": f"n{i}"}) for i in range(21)]
    assert [a.status_code for a in answers] == [200] * 20 + [429]
    retry_after = answers[-1].json()["parameters"]["retry_after"]
    assert 55 <= retry_after <= 60
    assert answers[-1].json()["description"] == f"Too Many Requests: retry after {retry_after}"


def test_telegram_holds_the_bot_to_thirty_messages_a_second(http: httpx.Client) -> None:
    fake = FakeTelegram(chats={str(n): Chat(type="private") for n in range(31)})
    fake.per_bot.seconds = 60.0  # same count; a long window so a slow machine still fits 31
    with serve(fake.app()) as server:
        url = f"{server.url}/bot{TELEGRAM_TOKEN}/sendMessage"
        answers = [http.post(url, data={"chat_id": str(n), "text": "x"}) for n in range(31)]
    assert [a.status_code for a in answers] == [200] * 30 + [429]
    assert answers[-1].json()["parameters"]["retry_after"] >= 1
    assert max_in_window(fake.log.accepted, 60.0) == 30


def test_slack_says_ratelimited_with_retry_after_past_one_post_per_second_in_a_channel(
    http: httpx.Client,
) -> None:
    fake = FakeSlack()
    fake.channel("C1")
    fake.channel("C2")
    headers = {"Authorization": f"Bearer {fake.token}"}
    with serve(fake.app()) as server:
        url = f"{server.url}/api/chat.postMessage"
        answers = [
            http.post(url, json={"channel": channel, "text": "x"}, headers=headers)
            for channel in ("C1", "C1", "C2")
        ]
    assert [a.status_code for a in answers] == [200, 429, 200]
    assert answers[1].json() == {"ok": False, "error": "ratelimited"}
    assert answers[1].headers["Retry-After"] == "1"
    assert fake.rate_limited == 1 and [m["channel"] for m in fake.messages] == ["C1", "C2"]


def test_discord_says_429_past_five_messages_in_five_seconds_in_a_channel(
    http: httpx.Client,
) -> None:
    fake = FakeDiscord(channels={"1": Channel()})
    headers = {"Authorization": f"Bot {DISCORD_TOKEN}"}
    with serve(fake.app()) as server:
        url = f"{server.url}/api/v10/channels/1/messages"
        answers = [http.post(url, json={"content": f"n{i}"}, headers=headers) for i in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[4].headers["X-RateLimit-Remaining"] == "0"
    limited = answers[-1]
    assert limited.headers["content-type"] == "application/json"
    assert limited.headers["Via"] == "1.1 google" and limited.headers["X-RateLimit-Scope"] == "user"
    assert "X-RateLimit-Global" not in limited.headers
    body = limited.json()
    assert body["message"] == "You are being rate limited." and body["global"] is False
    assert 0 < body["retry_after"] <= 5.0
    assert int(limited.headers["Retry-After"]) >= body["retry_after"]
    assert fake.rate_limited == 1 and len(fake.sent) == 5


def test_discord_says_a_global_429_past_fifty_requests_a_second(http: httpx.Client) -> None:
    fake = FakeDiscord()
    fake.per_bot.seconds = 60.0  # same count; a long window so a slow machine still fits 51
    headers = {"Authorization": f"Bot {DISCORD_TOKEN}"}
    with serve(fake.app()) as server:
        answers = [http.get(f"{server.url}/api/v10/users/@me", headers=headers) for _ in range(51)]
    assert [a.status_code for a in answers] == [200] * 50 + [429]
    limited = answers[-1]
    assert limited.headers["X-RateLimit-Global"] == "true"
    assert limited.headers["X-RateLimit-Scope"] == "global" and limited.headers["Via"]
    assert limited.json()["global"] is True and limited.json()["retry_after"] > 0
    assert fake.rate_limited == 1 and len(fake.log.requests) == 51


def test_twilio_says_20429_past_the_senders_messages_per_second(http: httpx.Client) -> None:
    fake = FakeTwilio()
    fake.per_sender.seconds = 60.0  # same count (80); a long window so a slow machine fits 81
    credentials = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
    with serve(fake.app()) as server:
        url = f"{server.url}/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
        answers = [
            http.post(
                url,
                data={
                    "From": "whatsapp:+14155238886",
                    "To": f"whatsapp:+336120000{n:02d}",
                    "Body": "x",
                },
                headers={"Authorization": f"Basic {credentials}"},
            )
            for n in range(81)
        ]
    assert [a.status_code for a in answers] == [201] * 80 + [429]
    assert answers[-1].json() == {
        "code": 20429,
        "message": "Too Many Requests",
        "more_info": "https://www.twilio.com/docs/errors/20429",
        "status": 429,
    }
    assert fake.rate_limited == 1 and len(fake.messages) == 80


def test_a_send_log_tells_refused_from_accepted() -> None:
    log = SendLog()
    log.note(1.0, limited=False)
    log.note(1.5, limited=True)
    assert (log.times, log.accepted, log.limited) == ([1.0, 1.5], [1.0], 1)
