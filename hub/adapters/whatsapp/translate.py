"""WhatsApp's inbound translator: Twilio's form fields → core events (no I/O); keywords
(JOIN, STOP, START, HELP) are recognised in English and French, with or without accents.
Members type plain text (`@Name`, bare addresses): already the core's neutral forms. See
`render` for the way out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub.adapters.whatsapp.settings import PLATFORM
from hub.adapters.wire import tolerant
from hub.core.model.commands import Grammar, Said, command_or_message
from hub.core.model.domain import Identity
from hub.core.model.events import (
    ButtonClicked,
    DeliveryReported,
    Event,
    MemberJoined,
    OptedIn,
    OptedOut,
)

STOP_WORDS = {
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "ARRET",
    "ARRETER",
    "DESINSCRIRE",
    "DESINSCRIPTION",
    "DESABONNER",
}
START_WORDS = {"START", "UNSTOP", "RESUME", "DEMARRER", "REPRENDRE"}
HELP_WORDS = {"HELP", "INFO", "AIDE"}
KEYWORDS = Grammar(keywords=True)
"""WhatsApp keyboards make slashes awkward: "hub verb" is a command too."""

# ---- inbound ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Inbound:
    """What one incoming WhatsApp message means: events to enqueue and a keyword's answer."""

    events: tuple[Event, ...] = ()
    answer: str | None = None
    """Which built-in text answers it at once (joined, stopped, started, help), if any."""


@dataclass(frozen=True, slots=True)
class ListsOf:
    """A community's lists as the translator needs them."""

    community_id: str
    lists: Mapping[str, str]  # space name → list name, in the owner's order
    join_keyword: str


def keyword(text: str) -> str:
    """The message as a keyword: upper case, no accents, no surrounding punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.strip(" .!?¡¿,;:").upper()


@tolerant
def message_to_core(form: Mapping[str, str], community: ListsOf) -> Inbound:
    """An incoming message's form fields as core events."""
    sender, sid = form.get("From", ""), form.get("MessageSid", "")
    if not sender.startswith(f"{PLATFORM}:") or not sid:
        return Inbound()
    base: dict[str, Any] = {
        "event_id": f"{PLATFORM}:{sid}",
        "community_id": community.community_id,
        "platform": PLATFORM,
        "space": None,
        "actor": Identity(
            platform=PLATFORM,
            user_id=sender,
            display_name=form.get("ProfileName") or _masked(sender),
        ),
        "occurred_at": datetime.now(UTC),
    }
    payload = form.get("ButtonPayload", "")
    if payload:
        action, _, value = payload.partition(":")
        if action and value:
            return Inbound((ButtonClicked(**base, action=action, value=value),))
    body = form.get("Body", "") or form.get("ButtonText", "")
    return _keyword_or_message(body, form, base, community)


def _keyword_or_message(
    body: str, form: Mapping[str, str], base: dict[str, Any], community: ListsOf
) -> Inbound:
    word, *rest = keyword(body).split(maxsplit=1) or [""]
    if word in STOP_WORDS and not rest:
        return Inbound((OptedOut(**base),), answer="stopped")
    if word in START_WORDS and not rest:
        return Inbound((OptedIn(**base),), answer="started")
    if word in HELP_WORDS and not rest:
        return Inbound(answer="help")
    if word == community.join_keyword.upper():
        space = _list_named(community, rest[0] if rest else "")
        return Inbound((MemberJoined(**{**base, "space": space}),), answer="joined")
    reply_to = form.get("OriginalRepliedMessageSid") or None
    said = Said(body, message_id=form["MessageSid"], reply_to=reply_to)
    found = command_or_message(base, said, KEYWORDS)
    return Inbound((found,) if found is not None else ())


def _list_named(community: ListsOf, wanted: str) -> str | None:
    """The space a `JOIN <name>` asks for: by list or space name, else the first list."""
    wanted = wanted.strip().lower()
    for space, list_name in community.lists.items():
        if wanted in (space.lower(), list_name.lower()):
            return space
    return next(iter(community.lists), None)


def _masked(address: str) -> str:
    """A member's number is personal: shown as its last digits until WhatsApp gives a name."""
    return f"…{address[-4:]}"


# Twilio's codes for a recipient the hub can never reach at that address.
UNREACHABLE = {"21211", "21214", "21610", "21614", "63003", "63024", "63032"}
OUTSIDE_WINDOW = "63016"
_STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "failed",
}


@tolerant
def status_to_core(form: Mapping[str, str], community_id: str) -> DeliveryReported | None:
    """A status callback as a report on the delivery; None for statuses the hub ignores."""
    sid, status = form.get("MessageSid", ""), _STATUSES.get(form.get("MessageStatus", ""))
    recipient = form.get("To", "")
    if not sid or status is None:
        return None
    code = form.get("ErrorCode", "")
    reason = None
    if status == "failed":
        reason = f"twilio {code or '?'}: {form.get('ErrorMessage') or _ERRORS.get(code, 'failed')}"
    return DeliveryReported(
        event_id=f"{PLATFORM}:status:{sid}:{status}",
        community_id=community_id,
        platform=PLATFORM,
        space=None,
        actor=Identity(platform=PLATFORM, user_id=recipient, display_name=""),
        occurred_at=datetime.now(UTC),
        message_id=sid,
        status=status,  # type: ignore[arg-type]
        reason=reason,
        outside_window=code == OUTSIDE_WINDOW,
        recipient_unreachable=code in UNREACHABLE,
    )


_ERRORS = {
    "63016": "outside the 24-hour window: only an approved template may be sent",
    "63018": "rate limit exceeded for the WhatsApp sender",
    "63024": "invalid message recipient",
    "63003": "the recipient is not reachable on WhatsApp",
    "21610": "the recipient unsubscribed",
}
