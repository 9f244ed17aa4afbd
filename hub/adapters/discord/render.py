"""Discord's dialect (markdown) and its payloads: message parameters (no I/O).

Rich text, flattened, → Discord markdown, with every markdown and mention character of text
backslash-escaped (bare web addresses aside) and `allowed_mentions` naming only the members
the hub meant to mention (so member text can never ping @everyone or a role); split at
paragraph boundaries under 2,000 characters; buttons as components; polls as native polls.
A random `nonce` per message, stored with the delivery, lets Discord drop a retried duplicate
(`enforce_nonce`).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from hub.adapters.discord.settings import PLATFORM
from hub.core.model.dialects import Dialect, Lines, Pieces, Render, Split, delimiters
from hub.core.model.flattening import Flattening, bold_unless_on
from hub.core.model.lookalikes import LOOKALIKES, ZERO_WIDTH_SPACE, split_web_addresses
from hub.core.model.messages import Outbound
from hub.core.model.richtext import (
    Code,
    Inline,
    Link,
    Marked,
    Mention,
    RichText,
    Text,
    mentions_in,
    rebuilt,
)
from hub.core.ports import Capabilities, RateLimit

MAX_CONTENT = 2000
MAX_BUTTONS = 25  # five action rows of five
CAPABILITIES = Capabilities(
    max_text_length=MAX_CONTENT,
    markup="discord-markdown",
    native_polls=True,
    reactions=True,
    deduplicates=True,  # every post carries a nonce with enforce_nonce (see the sender)
    rate_limits=(
        RateLimit(scope="bot", count=50, seconds=1.0),
        RateLimit(scope="chat", count=5, seconds=5.0),
    ),
)
_SPECIAL = re.compile(r"([\\*_|`>#\-+\[\]()<@])")
# Discord's strike-through ends at the first `~~`, escaped or not: tildes become look-alikes.
_TILDE = {ord("~"): LOOKALIKES[ord("~")]}
_ADDRESS = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]")  # Discord's (simple-markdown's)
_ADDRESS_END = "\ufeff"
# Percent-encoded in an address (the same address): parentheses, spaces and `>` would end a
# masked link's, and a mark around it would end at a `*`, `~` or `|` in it.
_URL_ESCAPES = str.maketrans({c: f"%{ord(c):02X}" for c in "() >*~|"})
_UNESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")
# Discord finds a masked link's label by its brackets, escaped or not: in a label they
# become full-width look-alikes.
_BRACKETS = str.maketrans({"[": "［", "]": "］"})


def escape(text: str) -> str:
    """Make text literal in Discord markdown: no formatting, list, heading, link, mention or
    custom emoji. Bare web addresses are not backslash-escaped, as discord.py's
    `escape_markdown` leaves them: Discord links them whole, so a backslash would end up in
    the address; their `*`, `~` and `|` (which would end a mark around them) are
    percent-encoded instead. Whatever follows an address (an escape, the next mark) would
    join it too, so an invisible space (U+FEFF, which ends an address for Discord) ends it."""
    pieces = split_web_addresses(text, _ADDRESS)
    out: list[str] = []
    for index, (piece, is_address) in enumerate(pieces):
        if not is_address:
            out.append(_SPECIAL.sub(r"\\\1", piece).translate(_TILDE))
            continue
        out.append(piece.translate(_URL_ESCAPES))
        following = pieces[index + 1][0] if index + 1 < len(pieces) else ""
        if not following[:1].isspace():
            out.append(_ADDRESS_END)
    return "".join(out)


def unescape(markdown: str) -> str:
    """What Discord displays for escaped text (used by tests and the fake)."""
    return _UNESCAPE.sub(r"\1", markdown.replace(_ADDRESS_END, ""))


def _join(pieces: Pieces) -> str:
    """Touching bold and italic (`**a***b*`) would read as other marks: a zero-width space
    separates them."""
    out = ""
    for piece, _ in pieces:
        out += ZERO_WIDTH_SPACE + piece if out.endswith("*") and piece.startswith("*") else piece
    return out


def _code(text: str) -> str:
    """Inline code; Discord finds a mark's end, or a link label's, before the code inside
    it, so the formatting characters and brackets become look-alikes there, the backtick
    included (code has no escape)."""
    return f"`{text.translate(LOOKALIKES).translate(_BRACKETS)}`"


def _link(link: Link, label: Render) -> str:
    """A masked link; the URL in <…> so Discord shows no preview."""
    return f"[{label(_without_brackets(link.children))}](<{link.url.translate(_URL_ESCAPES)}>)"


def _without_brackets(children: tuple[Inline, ...]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in children:
        if isinstance(node, Text):
            out.append(Text(node.text.translate(_BRACKETS)))
        elif isinstance(node, Code):
            out.append(Code(node.text.translate(_BRACKETS)))
        elif isinstance(node, Marked):  # no link in a label: flattening dropped it
            out.append(rebuilt(node, _without_brackets(node.children)))
        else:
            out.append(node)
    return tuple(out)


def _pings(mention: Mention) -> str | None:
    """The Discord user a mention pings, if the member is known there."""
    user = mention.user_id_on(PLATFORM)
    return user if user and user.isdigit() else None


def _mention(mention: Mention) -> str:
    user = _pings(mention)
    return f"<@{user}>" if user else escape(mention.name)


def _cut(text: str, limit: int) -> tuple[str, str]:
    """Never inside a backslash escape, so no piece can turn into a mention or formatting."""
    end = limit - 1 if text[limit - 1] == "\\" else limit
    return text[:end], text[end:]


MARKDOWN = Dialect(
    escape=escape,
    marks=delimiters("**", "*", "~~"),
    code=_code,
    link=_link,
    mention=_mention,
    split=Split(MAX_CONTENT, literal=lambda line: escape(unescape(line)), cut=_cut),
    flattening=Flattening(mentions=bold_unless_on(PLATFORM)),
    join=_join,
    lines=Lines(bullet="- ", block_start=re.compile(r"\s*\d+[.)]\s")),  # a numbered list
)


def mentioned(body: RichText) -> list[str]:
    """The user ids the text pings, for `allowed_mentions` (no one else can be pinged)."""
    flat = MARKDOWN.flattening.of(body)
    return sorted({user for m in mentions_in(flat) if (user := _pings(m)) is not None})


def payloads(outbound: Outbound) -> list[dict[str, Any]]:
    """Message payloads in sending order: text parts (buttons on the last), then a poll."""
    payloads: list[dict[str, Any]] = [
        {"content": text} for text in MARKDOWN.messages(outbound.body)
    ]
    if outbound.buttons:
        if not payloads:
            payloads.append({"content": ""})
        payloads[-1]["buttons"] = [
            {"label": b.label[:80], "custom_id": f"{b.action}:{b.value}"[:100]}
            for b in outbound.buttons[:MAX_BUTTONS]
        ]
    if outbound.poll is not None:
        payloads.append(
            {
                "content": "",
                "poll": {
                    "question": outbound.poll.question[:300],
                    "answers": [o[:55] for o in outbound.poll.options[:10]],
                },
            }
        )
    if outbound.reply_to and payloads:
        payloads[0]["reply_to"] = outbound.reply_to
    users = mentioned(outbound.body)
    for payload in payloads:
        payload["mentions"] = users
        payload["nonce"] = secrets.token_hex(12)
    return payloads
