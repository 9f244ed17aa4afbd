"""Telegram's dialect (HTML) and its payloads: Bot API arguments (no I/O).

Rich text, flattened, → Telegram HTML (only `&`, `<`, `>` need escaping, so names like
"Jean-Pierre", "C'est top !" or "1.5x" can never break a message), split at paragraph
boundaries under 4,096 characters with every part a complete HTML document; buttons as an
inline keyboard; polls as native non-anonymous polls.
"""

from __future__ import annotations

import html
import re
from typing import Any

from hub.adapters.telegram.settings import PLATFORM
from hub.core.model.dialects import Dialect, Render, Split, element, tags
from hub.core.model.flattening import Flattening, bold_unless_on
from hub.core.model.messages import Outbound
from hub.core.model.richtext import Link, Mention
from hub.core.ports import Capabilities, RateLimit

MAX_TEXT = 4096
CAPABILITIES = Capabilities(
    max_text_length=MAX_TEXT,
    markup="html",
    native_polls=True,
    reactions=True,
    private_needs_opt_in=True,
    rate_limits=(
        RateLimit(scope="bot", count=30, seconds=1.0),
        RateLimit(scope="private", count=1, seconds=1.0),
        RateLimit(scope="space", count=20, seconds=60.0),
    ),
)
_TAG = re.compile(r"<[^>]*>?|>")
"""A tag (or an unclosed one, to the end), and any stray `>`: what the literal text drops."""


def escape(text: str) -> str:
    """Telegram HTML's three special characters, escaped."""
    return html.escape(text, quote=False)


def _link(link: Link, label: Render) -> str:
    return f'<a href="{html.escape(link.url, quote=True)}">{label(link.children)}</a>'


def _mention(mention: Mention) -> str:
    user = mention.user_id_on(PLATFORM)
    name = escape(mention.name)
    return f'<a href="tg://user?id={user}">{name}</a>' if user and user.isdigit() else name


def _as_text(line: str) -> str:
    """An over-long line as plain, escaped text, so no tag is ever cut in two."""
    return escape(html.unescape(_TAG.sub("", line)))


def _cut(text: str, limit: int) -> tuple[str, str]:
    """Cut before an entity (`&amp;`) the limit would cut in two."""
    end = limit
    amp = text.rfind("&", max(0, end - 6), end)
    if amp != -1 and ";" not in text[amp:end]:
        end = amp
    return text[:end], text[end:]


HTML = Dialect(
    escape=escape,
    marks=tags("b", "i", "s"),
    code=element("code", escape),
    link=_link,
    mention=_mention,
    split=Split(MAX_TEXT, literal=_as_text, cut=_cut),
    flattening=Flattening(mentions=bold_unless_on(PLATFORM)),
)


def payloads(outbound: Outbound) -> list[dict[str, Any]]:
    """Bot API arguments, one dict per message: sendMessage parts, then a sendPoll if any."""
    payloads: list[dict[str, Any]] = [
        {"method": "sendMessage", "text": text, "parse_mode": "HTML"}
        for text in HTML.messages(outbound.body)
    ]
    if outbound.buttons and payloads:
        payloads[-1]["reply_markup"] = {
            "inline_keyboard": [
                [{"text": b.label[:64], "callback_data": _callback_data(b.action, b.value)}]
                for b in outbound.buttons[:100]
            ]
        }
    if outbound.reply_to and payloads:
        payloads[0]["reply_to_message_id"] = outbound.reply_to
    if outbound.poll is not None:
        poll = outbound.poll
        payloads.append(
            {
                "method": "sendPoll",
                "question": poll.question[:300],
                "options": [o[:100] for o in poll.options[:12]],
            }
        )
    return payloads


def _callback_data(action: str, value: str) -> str:
    data = f"{action}:{value}"
    while len(data.encode()) > 64:
        data = data[:-1]
    return data
