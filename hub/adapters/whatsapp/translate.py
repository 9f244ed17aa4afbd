"""Pure translation between Twilio's WhatsApp wire formats and core types (no I/O).

Outbound: rich text, flattened, → WhatsApp formatting (`*bold*`, `_italic_`, ```monospace```),
mentions as names, links as "label (url)", split under 1,600 characters between paragraphs. WhatsApp
has no escape syntax, so the formatting characters inside text (a member's name, their words)
become look-alikes that cannot format. Buttons become numbered choices the member answers
with a number. Inbound: Twilio's form fields → core events; keywords (JOIN, STOP, START,
HELP) are recognised in English and French, with or without accents.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.adapters.wire import tolerant
from hub.core.model.commands import Grammar, Said, command_or_message
from hub.core.model.dialects import LOOKALIKES, guard_line, join_flanked, lookalike, wrap
from hub.core.model.domain import Identity
from hub.core.model.events import (
    ButtonClicked,
    DeliveryReported,
    Event,
    MemberJoined,
    OptedIn,
    OptedOut,
)
from hub.core.model.messages import Outbound
from hub.core.model.richtext import (
    Block,
    Bold,
    BulletList,
    Code,
    Inline,
    Italic,
    LineBreak,
    Link,
    Mention,
    Paragraph,
    RichText,
    Strike,
    Text,
    as_name,
    block_lines,
    flatten,
    pack_messages,
    plain_text,
)
from hub.core.ports import Capabilities, RateLimit

PLATFORM = "whatsapp"
MAX_BODY = 1600
MAX_VARIABLE = 1000  # WhatsApp template parameters: one line, kept well under Twilio's 1,600
REPLY_WINDOW = timedelta(hours=24)

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

# A quote or a bullet; numbered lists show their numbers as typed (and choices use them).
_BLOCK_START = re.compile(r"\s*(?:>|-\s)")

DEFAULT_CHOOSE = {
    "fr": "_Réponds avec le numéro de ton choix._",
    "en": "_Reply with the number of your choice._",
}


def capabilities(messages_per_second: int, hold_for: timedelta | None) -> Capabilities:
    """What a WhatsApp sender can do; its throughput is the account's, set in YAML."""
    return Capabilities(
        max_text_length=MAX_BODY,
        markup="whatsapp",
        buttons=False,
        native_polls=False,
        private_messages=True,
        edits=False,
        rate_limits=(
            RateLimit(scope="bot", count=messages_per_second, seconds=1.0),
            RateLimit(scope="chat", count=1, seconds=1.0),
        ),
        reply_window=REPLY_WINDOW,
        hold_outside_window=hold_for,
    )


def literal(text: str) -> str:
    """Text that WhatsApp shows as typed: formatting characters outside web addresses
    become look-alikes (the table every renderer without escapes shares)."""
    return lookalike(text)


def to_whatsapp(children: tuple[Inline, ...]) -> str:
    """Inline rich text (flattened) in WhatsApp's formatting."""
    return join_flanked((_inline(node), isinstance(node, _Flanked)) for node in children)


_Flanked = Bold | Italic | Strike | Code
_MARKS: dict[type, str] = {Bold: "*", Italic: "_", Strike: "~"}


def _inline(node: Inline) -> str:
    if isinstance(node, Text):
        return literal(node.text)
    if isinstance(node, Bold | Italic | Strike):
        return wrap(_MARKS[type(node)], to_whatsapp(node.children))
    if isinstance(node, Code):
        return f"```{node.text.translate(LOOKALIKES)}```"
    if isinstance(node, Link):
        label = to_whatsapp(node.children)
        if not node.url.lower().startswith(("http://", "https://")):
            return label
        return node.url if label in (node.url, literal(node.url)) else f"{label} ({node.url})"
    if isinstance(node, Mention):
        return literal(node.name)
    return "\n"


def _block_lines(block: Block) -> list[str]:
    bullet = "- " if isinstance(block, BulletList) else ""
    return [bullet + guard_line(to_whatsapp(line), _BLOCK_START) for line in block_lines(block)]


def _hard_split(line: str, limit: int) -> list[str]:
    """An over-long line cut at spaces where possible, else anywhere."""
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    return [*pieces, line]


def split_body(body: RichText, limit: int = MAX_BODY) -> list[str]:
    """Message bodies of at most `limit` characters, cut between paragraphs, then lines."""
    paragraphs = [
        _block_lines(block) for block in flatten(body, mentions=as_name, links_as_text=True).blocks
    ]
    return pack_messages(paragraphs, limit, _hard_split)


def _choices(outbound: Outbound) -> list[tuple[str, str, str]]:
    """(label, action, value) of each choice the member may answer with a number."""
    choices = [(b.label, b.action, b.value) for b in outbound.buttons]
    if outbound.poll is not None:
        choices += [(o, "poll", str(i)) for i, o in enumerate(outbound.poll.options)]
    return choices


def render(outbound: Outbound, choose: str) -> list[dict[str, Any]]:
    """Message payloads in sending order; numbered choices (and `choices`) on the last."""
    body = outbound.body
    if outbound.poll is not None:
        body = RichText((*body.blocks, Paragraph((Bold((Text(outbound.poll.question),)),))))
    choices = _choices(outbound)
    if choices:
        lines: list[Inline] = []
        for number, (label, _, _) in enumerate(choices, 1):
            lines += [*([LineBreak()] if lines else []), Text(f"{number}. {label}")]
        body = RichText((*body.blocks, Paragraph(tuple(lines))))
    parts = split_body(body) or [" "]
    if choices:
        parts = _with_choose_hint(parts, choose)
    payloads: list[dict[str, Any]] = [{"body": text} for text in parts]
    if choices:
        payloads[-1]["choices"] = [[action, value] for _, action, value in choices]
    return payloads


def _with_choose_hint(parts: list[str], choose: str) -> list[str]:
    last = f"{parts[-1]}\n\n{choose}"
    return [*parts[:-1], last] if len(last) <= MAX_BODY else [*parts, choose]


def one_line(text: str, limit: int = MAX_VARIABLE) -> str:
    """A template parameter: WhatsApp refuses new lines, tabs and runs of spaces in them."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat or "-"


def template_variables(outbound: Outbound, recipient_name: str) -> dict[str, Any]:
    """What the owner's template variables may print."""
    return {
        "text": one_line(plain_text(outbound.body)),
        "member": {"name": recipient_name},
        "buttons": [
            {"label": label, "payload": f"{action}:{value}"}
            for label, action, value in _choices(outbound)
        ],
    }


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


def content_variables(values: Mapping[str, str]) -> str:
    """ContentVariables as Twilio wants it: a JSON object as a string."""
    return json.dumps(dict(values), ensure_ascii=False)
