"""Hostile requests for every inbound endpoint, as an attacker or a broken platform sends them.

Each request starts from a realistic payload of its platform and is then either **forged**
(wrong, missing, stale or malformed credentials: nothing may be enqueued) or **signed**
correctly over a body mutated with the shapes that broke the hub before: deeply nested JSON,
5,000-digit numbers and timestamps, other scripts' digits, NUL, lone surrogates, names of
thousands of characters, wrong types at known keys, invalid UTF-8, truncated bodies.

Forged requests carry ids in their own namespace (`FORGED` in every id), so a test can prove
that none of them reached the inbox. Generators take a `random.Random`: hypothesis hands them
one (`st.randoms()`), the 10,000-request run seeds its own.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from nacl.signing import SigningKey
from twilio.request_validator import RequestValidator

PUBLIC_URL = "https://hub.example.org"
TELEGRAM_SECRET = "telegram-webhook-secret-0123456789"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TWILIO_TOKEN = "twilio-auth-token-0123456789abcdef"
DISCORD_KEY = SigningKey(bytes(range(32)))
HUB_NUMBER = "whatsapp:+14155238886"
FORGED = "FORGED"

ENV = {
    "TELEGRAM_BOT_TOKEN": "123456:telegram-bot-token-abcdefghijklmnop",
    "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
    "SLACK_BOT_TOKEN": "xoxb-slack-bot-token-0123456789",
    "SLACK_SIGNING_SECRET": SLACK_SECRET,
    "DISCORD_BOT_TOKEN": "discord-bot-token-0123456789abcdef",
    "DISCORD_PUBLIC_KEY": DISCORD_KEY.verify_key.encode().hex(),
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
    "WEBCHAT_SECRET": "webchat-secret-0123456789abcdef0123",
}

_ALL_PLATFORMS_YAML = """
community: {id: inside-freelancing, name: Inside Freelancing, timezone: Europe/Paris, locale: fr}
server: {public_url: "https://hub.example.org"}
platforms:
  telegram:
    token: ${TELEGRAM_BOT_TOKEN}
    webhook_secret: ${TELEGRAM_WEBHOOK_SECRET}
    api_base_url: http://127.0.0.1:9
    spaces: {main: "-1001"}
  slack:
    bot_token: ${SLACK_BOT_TOKEN}
    signing_secret: ${SLACK_SIGNING_SECRET}
    api_base_url: SLACK_API
    spaces: {main: C0MAIN}
  discord:
    token: ${DISCORD_BOT_TOKEN}
    public_key: ${DISCORD_PUBLIC_KEY}
    api_base_url: http://127.0.0.1:9
    spaces: {main: "3000"}
  whatsapp:
    account_sid: ${TWILIO_ACCOUNT_SID}
    auth_token: ${TWILIO_AUTH_TOKEN}
    from: "whatsapp:+14155238886"
    api_base_url: http://127.0.0.1:9
    spaces: {main: members}
  webchat:
    secret: ${WEBCHAT_SECRET}
    spaces: {main: salon}
rituals:
RITUALS"""
RITUALS = """  welcome: {spaces: [main]}
  icebreaker: {schedule: "0 9 * * MON", spaces: [main], questions: ["Premier client ?"]}
"""
QUIET = "  help: {enabled: false}\n"
"""Only the always-on rituals, which answer their own verbs: inbound at scale, little outbound."""


def all_platforms_yaml(slack_api: str, rituals: str = RITUALS) -> str:
    """A community on every platform; Slack's Web API (for name look-ups) at `slack_api`, the
    other platforms' APIs nowhere (what is sent fails and is retried, unseen)."""
    return _ALL_PLATFORMS_YAML.replace("SLACK_API", slack_api).replace("RITUALS", rituals)


HOSTILE_TEXTS = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\ud83d",
    "é" * 5000,
    "Z" * 300,
    "٣٤٥",
    "9" * 5000,
    "<!everyone> @everyone <@123>",
    "**Bold** _it_ ~s~ `c`",
    "\u202etxet",
    "\x1b[31m",
    "",
    " ",
    "\n" * 50,
]


def hostile_value(rng: random.Random) -> Any:
    """A value that does not belong where it is put."""
    choice = rng.randrange(10)
    if choice < 5:
        return rng.choice(HOSTILE_TEXTS)
    return rng.choice(
        [None, True, 0, -1, 10**30, 1.5e308, [], {}, ["x"], {"id": rng.choice(HOSTILE_TEXTS)}]
    )


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def mutate(payload: dict[str, Any], rng: random.Random, times: int = 2) -> dict[str, Any]:
    """A copy of `payload` with hostile values at a few of its real keys."""
    data = copy.deepcopy(payload)
    for _ in range(times):
        paths = _paths(data)
        if not paths:
            break
        *parents, last = rng.choice(paths)
        holder: Any = data
        for part in parents:
            holder = holder[part]
        holder[last] = hostile_value(rng)
    return data


def raw_json(rng: random.Random, payload: dict[str, Any]) -> bytes:
    """The payload as JSON, or one of the bodies no JSON library should choke on."""
    choice = rng.randrange(8)
    if choice == 0:
        depth = rng.choice([1_000, 50_000, 200_000])
        return b'{"a":' + b"[" * depth + b"]" * depth + b"}"
    if choice == 1:
        return b'{"update_id": ' + b"9" * 5000 + b"}"
    if choice == 2:
        return json.dumps(payload).encode()[: rng.randrange(1, 40)]
    if choice == 3:
        return b"\xff\xfe" + json.dumps(payload).encode()
    return json.dumps(mutate(payload, rng)).encode()


@dataclass(frozen=True, slots=True)
class HostileRequest:
    """One request: where, what, and whether the platform really sent it."""

    path: str
    body: bytes
    headers: dict[str, str]
    signed: bool
    content_type: str = "application/json"
    query: dict[str, str] = field(default_factory=dict)


FORGED_NUMBERS = 10**15
"""Forged requests' numeric ids (Telegram's update_id) start here; signed ones stay below."""


def _id(rng: random.Random, signed: bool) -> str:
    return f"{'' if signed else FORGED}{rng.randrange(10**12)}"


def _number(rng: random.Random, signed: bool) -> int:
    return rng.randrange(10**12) + (0 if signed else FORGED_NUMBERS)


def from_forged_request(event_id: str) -> bool:
    """Whether an event id could only come from one of the forged requests: `FORGED` in it,
    or a Telegram update id (`telegram:<update_id>…`) in the forged range."""
    platform, _, rest = event_id.partition(":")
    update_id = rest.partition(":")[0]
    forged_update = platform == "telegram" and update_id.isdigit() and len(update_id) < 30
    return FORGED in event_id or (forged_update and int(update_id) >= FORGED_NUMBERS)


# --- Telegram ----------------------------------------------------------------------------


def telegram_update(rng: random.Random, signed: bool) -> dict[str, Any]:
    """A group message, a join, a button press or a private command."""
    user = {"id": 8, "is_bot": False, "first_name": "Bob", "username": "bob"}
    chat = {"id": -1001, "type": "supergroup", "title": "G"}
    message = {"message_id": 11, "date": int(time.time()), "chat": chat, "from": user}
    kind = rng.randrange(4)
    if kind == 0:
        message["text"] = "Bonjour à tous"
    elif kind == 1:
        message["new_chat_members"] = [user]
    elif kind == 2:
        message.update(text="/help", chat={"id": 8, "type": "private", "first_name": "Bob"})
    else:
        query = {"id": "cb1", "from": user, "data": "vote:1:0", "message": message}
        return {"update_id": _number(rng, signed), "callback_query": query}
    return {"update_id": _number(rng, signed), "message": message}


def telegram(rng: random.Random) -> HostileRequest:
    """An update with the right secret over a hostile body, or a forged secret."""
    signed = rng.random() < 0.5
    update = telegram_update(rng, signed)
    if signed:
        body = raw_json(rng, update)
        return HostileRequest("/webhooks/telegram", body, _telegram_secret(TELEGRAM_SECRET), True)
    secret = rng.choice(["", "wrong", TELEGRAM_SECRET[:-1], "é" * 10, "x" * 5000, None])
    return HostileRequest(
        "/webhooks/telegram", json.dumps(update).encode(), _telegram_secret(secret), False
    )


def _telegram_secret(secret: str | None) -> dict[str, str]:
    return {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}


# --- Slack -------------------------------------------------------------------------------


def slack_envelope(rng: random.Random, signed: bool) -> dict[str, Any]:
    """An Events API callback: a message, a join or a reaction."""
    events = [
        {"type": "message", "user": "U1", "channel": "C0MAIN", "text": "Salut", "ts": "1.2"},
        {"type": "member_joined_channel", "user": "U1", "channel": "C0MAIN"},
        {"type": "reaction_added", "user": "U1", "reaction": "tada", "item": {"ts": "1.2"}},
    ]
    return {
        "type": "event_callback",
        "event_id": f"Ev{_id(rng, signed)}",
        "event_time": int(time.time()),
        "authorizations": [{"user_id": "U0BOT", "is_bot": True}],
        "event": rng.choice(events),
    }


def slack_form(rng: random.Random, signed: bool) -> dict[str, str]:
    """A slash command, or a button click's interactivity payload."""
    if rng.random() < 0.5:
        return {
            "command": "/hub",
            "text": rng.choice(["help", *HOSTILE_TEXTS]),
            "user_id": "U1",
            "user_name": rng.choice(["zoe", *HOSTILE_TEXTS]),
            "channel_id": "C0MAIN",
            "trigger_id": f"T{_id(rng, signed)}",
        }
    action = {
        "type": "block_actions",
        "user": {"id": "U1", "name": "zoe"},
        "channel": {"id": "C0MAIN"},
        "actions": [{"value": "vote:1:0", "action_ts": _id(rng, signed)}],
    }
    return {"payload": json.dumps(mutate(action, rng) if signed else action)}


def slack_headers(
    body: bytes, secret: str = SLACK_SECRET, stamp: str | None = None
) -> dict[str, str]:
    """What Slack sends with `body`."""
    stamp = str(int(time.time())) if stamp is None else stamp
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def slack(rng: random.Random) -> HostileRequest:
    """A signed hostile event, command or click, or one with forged or malformed headers."""
    signed = rng.random() < 0.5
    as_form = rng.random() < 0.4
    if as_form:
        form = slack_form(rng, signed)
        body, kind = (
            urlencode(form, errors="surrogatepass").encode("utf-8", "surrogatepass"),
            "application/x-www-form-urlencoded",
        )
    else:
        envelope = slack_envelope(rng, signed)
        body = raw_json(rng, envelope) if signed else json.dumps(envelope).encode()
        kind = "application/json"
    if signed:
        return HostileRequest("/webhooks/slack/events", body, slack_headers(body), True, kind)
    forge: list[Callable[[], dict[str, str]]] = [
        lambda: slack_headers(body, secret="0" * 32),
        lambda: slack_headers(body, stamp=str(int(time.time()) - 3600)),
        lambda: slack_headers(body, stamp="9" * 5000),
        lambda: slack_headers(body, stamp="١٧٠٠٠٠٠٠٠٠"),
        lambda: {**slack_headers(body), "X-Slack-Signature": "v0=é" + "0" * 63},
        lambda: {**slack_headers(body), "X-Slack-Signature": "v1=abc"},
        lambda: {},
    ]
    return HostileRequest("/webhooks/slack/events", body, rng.choice(forge)(), False, kind)


# --- Discord -----------------------------------------------------------------------------


def discord_interaction(rng: random.Random, signed: bool) -> dict[str, Any]:
    """A `/hub` slash command or a button click in a configured channel."""
    member = {"user": {"id": "5000", "username": "zoe", "global_name": "Zoé"}}
    base = {
        "id": _id(rng, signed),
        "application_id": "42",
        "token": "interaction-token",
        "version": 1,
        "channel_id": "3000",
        "guild_id": "1",
        "member": member,
    }
    if rng.random() < 0.5:
        options = [{"name": "command", "type": 3, "value": "help"}]
        return {**base, "type": 2, "data": {"id": "1", "name": "hub", "options": options}}
    data = {"custom_id": "vote:1:0", "component_type": 2}
    return {**base, "type": 3, "data": data, "message": {"id": "99"}}


def discord_headers(
    body: bytes, key: SigningKey = DISCORD_KEY, stamp: str | None = None
) -> dict[str, str]:
    """What Discord sends with `body`."""
    stamp = str(int(time.time())) if stamp is None else stamp
    signature = key.sign(stamp.encode() + body).signature.hex()
    return {"X-Signature-Ed25519": signature, "X-Signature-Timestamp": stamp}


def discord(rng: random.Random) -> HostileRequest:
    """A signed hostile interaction, or a forged one."""
    signed = rng.random() < 0.5
    interaction = discord_interaction(rng, signed)
    path = "/webhooks/discord/interactions"
    if signed:
        body = raw_json(rng, interaction)
        return HostileRequest(path, body, discord_headers(body), True)
    body = json.dumps(interaction).encode()
    forge: list[Callable[[], dict[str, str]]] = [
        lambda: discord_headers(body, key=SigningKey(bytes(32))),
        lambda: discord_headers(body, stamp=str(int(time.time()) - 3600)),
        lambda: discord_headers(body, stamp="9" * 5000),
        lambda: discord_headers(body, stamp="١٧٠٠٠٠٠٠٠٠"),
        lambda: {**discord_headers(body), "X-Signature-Ed25519": "zz" * 64},
        lambda: {**discord_headers(body), "X-Signature-Ed25519": "ab"},
        lambda: {},
    ]
    return HostileRequest(path, body, rng.choice(forge)(), False)


# --- WhatsApp (Twilio) -------------------------------------------------------------------


def twilio_form(rng: random.Random, signed: bool) -> tuple[str, dict[str, str]]:
    """An incoming message (text, keyword, command) or a status callback, with its path."""
    sid = f"SM{_id(rng, signed)}"
    sender = rng.choice(["whatsapp:+33612345678", "whatsapp:+33700000000"])
    if rng.random() < 0.25:
        status = rng.choice(["sent", "delivered", "read", "failed", "weird"])
        form = {"MessageSid": sid, "MessageStatus": status, "To": sender, "From": HUB_NUMBER}
        return "/webhooks/whatsapp/status", form
    body = rng.choice(["Salut", "JOIN", "STOP", "hub help", "1", *HOSTILE_TEXTS])
    form = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": ENV["TWILIO_ACCOUNT_SID"],
        "From": sender,
        "To": HUB_NUMBER,
        "Body": body,
        "ProfileName": rng.choice(["Zoé", *HOSTILE_TEXTS]),
        "WaId": sender.removeprefix("whatsapp:+"),
        "NumMedia": "0",
    }
    return "/webhooks/whatsapp", form


def whatsapp(rng: random.Random) -> HostileRequest:
    """A validly signed message with hostile fields, or a forged signature."""
    signed = rng.random() < 0.5
    path, form = twilio_form(rng, signed)
    fields = mutate(form, rng, 1) if signed else form
    form = {key: _as_form_value(value) for key, value in fields.items()}
    body = urlencode(form).encode()
    kind = "application/x-www-form-urlencoded"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL + path, form)
    if signed:
        return HostileRequest(path, body, {"X-Twilio-Signature": signature}, True, kind)
    forged = rng.choice(["", "x", signature[:-2] + "AA", "é" * 28, "=" * 5000])
    headers = {"X-Twilio-Signature": forged} if forged else {}
    return HostileRequest(path, body, headers, False, kind)


def _as_form_value(value: Any) -> str:
    """A form field as it reaches the hub: a lone surrogate has no UTF-8, so it arrives as
    the bytes of one (%ED%A0%80), which a form decoder reads as U+FFFD."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


# --- Webchat ------------------------------------------------------------------------------

ROOM = "/chat/inside-freelancing/main"
TOKEN = "<<TOKEN>>"
"""Stands for a real member's session token in a request; `wire_headers` puts it in."""


def webchat(rng: random.Random) -> HostileRequest:
    """A member's hostile message, click or rename; an open join with a hostile name; or any
    of them with a forged, malformed or missing token (or the old user_id/token body)."""
    signed = rng.random() < 0.5
    route, body = rng.choice(
        [
            ("messages", {"text": "Bonjour", "reply_to": "1-0"}),
            ("click", {"action": "vote", "value": "1:0", "message_id": "1-0"}),
            ("rename", {"name": "Zoé"}),
            ("ticket", {}),
        ]
    )
    if rng.random() < 0.1:
        name = rng.choice(["Zoé", "hub", *HOSTILE_TEXTS])
        return HostileRequest(f"{ROOM}/join", json.dumps({"name": name}).encode(), {}, True)
    if signed:
        raw = raw_json(rng, body) if body else b""
        return HostileRequest(f"{ROOM}/{route}", raw, {"Authorization": f"Bearer {TOKEN}"}, True)
    legacy = {**body, "user_id": "u-zoe", "token": "0" * 64, "name": "Zoé"}
    forged = rng.choice(["x", "é" * 43, "A" * 43, TOKEN[:-1], "%00" * 43, "", None])
    headers = {} if forged is None else {"Authorization": f"Bearer {forged}".strip()}
    return HostileRequest(f"{ROOM}/{route}", json.dumps(legacy).encode(), headers, False)


def wire_headers(request: HostileRequest, token: str) -> dict[str, bytes]:
    """The request's headers as an attacker's client sends them: UTF-8 bytes, whatever they
    hold, with a real member's token where the request has one."""
    headers = {"Content-Type": request.content_type, **request.headers}
    return {
        name: value.replace(TOKEN, token).encode("utf-8", "surrogatepass")
        for name, value in headers.items()
    }


PLATFORMS: dict[str, Callable[[random.Random], HostileRequest]] = {
    "telegram": telegram,
    "slack": slack,
    "discord": discord,
    "whatsapp": whatsapp,
    "webchat": webchat,
}


def any_request(rng: random.Random) -> HostileRequest:
    """A hostile request to any platform's endpoint."""
    return PLATFORMS[rng.choice(sorted(PLATFORMS))](rng)
