"""WhatsApp's dialect and its payloads: Twilio message bodies and template variables (no I/O).

Rich text, flattened, → WhatsApp formatting (`*bold*`, `_italic_`, ```monospace```),
mentions as names, links as "label (url)", split under 1,600 characters between paragraphs.
WhatsApp has no escape syntax, so the formatting characters inside text (a member's name,
their words) become look-alikes that cannot format. Buttons become numbered choices the
member answers with a number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from hub.core.model.dialects import Dialect, Lines, Split, delimiters
from hub.core.model.flattening import Flattening, as_name
from hub.core.model.lookalikes import LOOKALIKES, join_flanked, lookalike
from hub.core.model.messages import Outbound
from hub.core.model.richtext import (
    Bold,
    Inline,
    LineBreak,
    Paragraph,
    RichText,
    Text,
    plain_text,
)
from hub.core.ports import Capabilities, RateLimit

MAX_BODY = 1600
MAX_VARIABLE = 1000  # WhatsApp template parameters: one line, kept well under Twilio's 1,600
REPLY_WINDOW = timedelta(hours=24)
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
        edits=False,
        rate_limits=(
            RateLimit(scope="bot", count=messages_per_second, seconds=1.0),
            RateLimit(scope="chat", count=1, seconds=1.0),
        ),
        reply_window=REPLY_WINDOW,
        hold_outside_window=hold_for,
    )


def _cut(text: str, limit: int) -> tuple[str, str]:
    """At a space where one is in the second half, else at the limit."""
    cut = text.rfind(" ", 0, limit)
    cut = cut if cut > limit // 2 else limit
    return text[:cut].rstrip(), text[cut:].lstrip()


FORMATTING = Dialect(
    escape=lookalike,
    marks=delimiters("*", "_", "~"),
    code=lambda text: f"```{text.translate(LOOKALIKES)}```",
    split=Split(MAX_BODY, cut=_cut),
    flattening=Flattening(mentions=as_name, links_as_text=True),
    join=join_flanked,
    # a quote or a bullet; numbered lists show their numbers as typed (and choices use them)
    lines=Lines(bullet="- ", block_start=re.compile(r"\s*(?:>|-\s)")),
    guards_addresses=True,
)


def split_body(body: RichText) -> list[str]:
    """Message bodies of at most 1,600 characters, cut between paragraphs, then lines."""
    return FORMATTING.messages(body)


def _choices(outbound: Outbound) -> list[tuple[str, str, str]]:
    """(label, action, value) of each choice the member may answer with a number."""
    choices = [(b.label, b.action, b.value) for b in outbound.buttons]
    if outbound.poll is not None:
        choices += [(o, "poll", str(i)) for i, o in enumerate(outbound.poll.options)]
    return choices


def payloads(outbound: Outbound, choose: str) -> list[dict[str, Any]]:
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


def content_variables(values: Mapping[str, str]) -> str:
    """ContentVariables as Twilio wants it: a JSON object as a string."""
    return json.dumps(dict(values), ensure_ascii=False)
