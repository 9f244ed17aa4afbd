"""A running fake of Twilio's Messages API, and inbound webhooks signed exactly as Twilio signs."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.fakes.server import BackgroundServer
from tests.fakes.twilio import FakeTwilio

PUBLIC_URL = "https://hub.example.org"
HUB_NUMBER = "whatsapp:+14155238886"
TEMPLATE_SID = "HX" + "1" * 32
ENV = {
    "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "TWILIO_AUTH_TOKEN": "twilio-test-token",
}
_sids = itertools.count(1)


@pytest.fixture(autouse=True)
def no_twilio_edge(monkeypatch: pytest.MonkeyPatch) -> None:
    """An edge or region in the environment would rewrite the fake's host."""
    for name in ("TWILIO_EDGE", "TWILIO_REGION", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def twilio() -> Iterator[tuple[FakeTwilio, str]]:
    fake = FakeTwilio(templates={TEMPLATE_SID: 2})
    with BackgroundServer(fake.app()) as server:
        yield fake, server.url


def message_form(sender: str, body: str, **extra: str) -> dict[str, str]:
    """The fields Twilio posts for an incoming WhatsApp message."""
    sid = f"SM{next(_sids):032x}"
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": extra.pop("ProfileName", "Zoé"),
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": sender.removeprefix("whatsapp:+"),
        "SmsStatus": "received",
        "Body": body,
        "To": HUB_NUMBER,
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": ENV["TWILIO_ACCOUNT_SID"],
        "From": sender,
        "ApiVersion": "2010-04-01",
        **extra,
    }


def signed(
    fake: FakeTwilio, path: str, form: dict[str, str], base: str = PUBLIC_URL
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of Twilio's POST of `form` to `base` + `path`."""
    headers = {
        "X-Twilio-Signature": fake.signature(base + path, form),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return urlencode(form).encode(), headers


WHATSAPP_YAML = """
community: {{id: inside-freelancing, name: Inside Freelancing, timezone: Europe/Paris, locale: fr}}
server: {{public_url: "{public_url}"}}
platforms:
  whatsapp:
    account_sid: ${{TWILIO_ACCOUNT_SID}}
    auth_token: ${{TWILIO_AUTH_TOKEN}}
    from: "whatsapp:+14155238886"
    api_base_url: {url}
    spaces: {{main: membres}}
    messages_per_second: {mps}
    templates:
      icebreaker:
        content_sid: {template}
        variables: {{"1": "{{{{ member.name }}}}", "2": "{{{{ text }}}}"}}
rituals:
  welcome: {{spaces: [main]}}
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [main]
    questions: ["Premier client ?"]
"""
