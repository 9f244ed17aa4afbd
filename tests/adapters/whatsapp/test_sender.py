"""The real twilio client against the fake Messages API: texts, templates, errors, pacing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import redis
from pydantic import SecretStr

from hub.adapters.whatsapp.sender import WhatsAppSender
from hub.adapters.whatsapp.settings import TemplateSettings, WhatsAppSettings
from hub.core.model.deliveries import Destination
from hub.core.model.messages import Button, MemberTarget, Outbound
from hub.core.model.richtext import parse_markup
from hub.core.ports import AdapterResources, PermanentSendError, TransientSendError
from hub.core.usecases.pacing import Pacer
from hub.ratelimit import RedisRateLimiter
from tests.adapters.whatsapp.conftest import ENV, HUB_NUMBER, PUBLIC_URL, TEMPLATE_SID
from tests.builders import paced
from tests.fakes.twilio import FakeTwilio

MEMBER = "whatsapp:+33612345678"
TO = Destination(community_id="c", platform="whatsapp", address=MEMBER, member_id=1, space="main")
SERVICE = "MG" + "3" * 32


def sender(url: str, token: str = ENV["TWILIO_AUTH_TOKEN"], **fields: Any) -> WhatsAppSender:
    settings = WhatsAppSettings.model_validate(
        {
            "account_sid": ENV["TWILIO_ACCOUNT_SID"],
            "auth_token": SecretStr(token),
            "from": HUB_NUMBER,
            "api_base_url": url,
            "spaces": {"main": "membres"},
            **fields,
        }
    )
    resources = AdapterResources(redis_url="redis://unused", public_url=PUBLIC_URL, locale="fr")
    return WhatsAppSender(settings, resources)


def outbound(text: str = "Bonjour **toi**") -> Outbound:
    return Outbound(key="k", target=MemberTarget(member_id=1), body=parse_markup(text))


async def test_sends_formatted_text_with_a_status_callback(twilio: tuple[FakeTwilio, str]) -> None:
    fake, url = twilio
    fake.member_wrote(MEMBER)
    s = sender(url)
    (payload,) = s.render(outbound(), TO)
    ref = await s.send(TO, payload)
    (message,) = fake.sent_to(MEMBER)
    assert message["sid"] == ref.message_id and message["From"] == HUB_NUMBER
    assert message["Body"] == "Bonjour *toi*"
    assert message["StatusCallback"] == f"{PUBLIC_URL}/webhooks/whatsapp/status"


async def test_a_template_goes_as_content_sid_and_variables(twilio: tuple[FakeTwilio, str]) -> None:
    fake, url = twilio
    template = TemplateSettings(
        content_sid=TEMPLATE_SID, variables={"1": "{{ member.name }}", "2": "{{ text }}"}
    )
    s = sender(url, templates={"icebreaker": template})
    payload = s.render_template("icebreaker", outbound("Question :\n\n**Ton outil ?**"), TO, "Zoé")
    assert payload is not None and s.render_template("poll", outbound(), TO, "Zoé") is None
    await s.send(TO, payload)  # the member never wrote: only a template may reach them
    (message,) = fake.delivered_to(MEMBER)
    assert message["ContentSid"] == TEMPLATE_SID and "Body" not in message
    assert json.loads(message["ContentVariables"]) == {"1": "Zoé", "2": "Question : Ton outil ?"}


def test_template_variables_can_carry_quick_reply_payloads(twilio: tuple[FakeTwilio, str]) -> None:
    _, url = twilio
    template = TemplateSettings(
        content_sid=TEMPLATE_SID,
        variables={"1": "{{ buttons[0].label }}", "2": "{{ buttons[0].payload }}"},
    )
    poll = Outbound(
        key="poll",
        target=MemberTarget(member_id=1),
        body=parse_markup("Apéro ?"),
        buttons=(Button(label="Oui", action="vote", value="7:0"),),
    )
    payload = sender(url, templates={"poll": template}).render_template("poll", poll, TO, "Zoé")
    assert payload is not None
    assert payload["content_variables"] == {"1": "Oui", "2": "vote:7:0"}


async def test_a_messaging_service_can_send_instead_of_a_number(
    twilio: tuple[FakeTwilio, str],
) -> None:
    fake, url = twilio
    fake.messaging_services[SERVICE] = HUB_NUMBER
    fake.member_wrote(MEMBER)
    s = sender(url, **{"from": None, "messaging_service_sid": SERVICE})
    await s.send(TO, s.render(outbound(), TO)[0])
    (message,) = fake.sent_to(MEMBER)
    assert message["MessagingServiceSid"] == SERVICE and "From" not in message


@pytest.mark.parametrize(
    ("arrange", "payload", "reason"),
    [
        (lambda f: None, {"body": "x" * 1601}, "twilio 21617: the message is longer"),
        (lambda f: f.unsubscribe(MEMBER), {"body": "x"}, "twilio 21610: the member unsubscribed"),
        (lambda f: f.senders.clear(), {"body": "x"}, "twilio 63007: check `from`"),
    ],
)
async def test_refusals_are_permanent_with_a_hint(
    twilio: tuple[FakeTwilio, str], arrange: Any, payload: dict[str, str], reason: str
) -> None:
    fake, url = twilio
    arrange(fake)
    with pytest.raises(PermanentSendError) as error:
        await sender(url).send(TO, payload)
    assert error.value.reason.startswith(reason)


async def test_a_wrong_token_fails_permanently_without_echoing_it(
    twilio: tuple[FakeTwilio, str],
) -> None:
    _, url = twilio
    with pytest.raises(PermanentSendError) as error:
        await sender(url, token="not-the-token-123").send(TO, {"body": "x"})
    assert "TWILIO_AUTH_TOKEN" in error.value.reason
    assert "not-the-token-123" not in error.value.reason


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, 20500), (503, 0)])
async def test_throttling_and_server_errors_are_transient(
    twilio: tuple[FakeTwilio, str], status: int, code: int
) -> None:
    fake, url = twilio
    fake.fail_next.append((status, code, "nope"))
    with pytest.raises(TransientSendError) as error:
        await sender(url).send(TO, {"body": "x"})
    assert (error.value.retry_after is not None) == (status == 429)


async def test_a_broadcast_is_paced_to_the_senders_throughput_so_twilio_never_says_429(
    twilio: tuple[FakeTwilio, str], redis_url: str
) -> None:
    fake, url = twilio
    fake.per_sender.count = 50
    assert await broadcast(sender(url, messages_per_second=40), redis_url, 160) == 0
    assert len(fake.messages) == 160
    fake.messages.clear()
    assert await broadcast(sender(url, messages_per_second=400), redis_url, 160) > 0  # unpaced


async def broadcast(s: WhatsAppSender, redis_url: str, members: int) -> int:
    """Send one message to `members` members at once, each paced; how many 429s came back."""
    redis.Redis.from_url(redis_url).flushdb()
    pacer = Pacer(RedisRateLimiter(redis_url))
    throttled = 0

    async def one(number: int) -> None:
        nonlocal throttled
        to = Destination(
            community_id="c", platform="whatsapp", address=f"whatsapp:+3361{number:07d}"
        )
        await paced(s, pacer, to)
        try:
            await s.send(to, {"body": "Nouvelle question !"})
        except TransientSendError:
            throttled += 1

    await asyncio.gather(*(one(n) for n in range(members)))
    return throttled
