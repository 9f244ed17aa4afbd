"""The webchat's dialect (HTML for the page) and its payload (no I/O)."""

from __future__ import annotations

import html
import secrets
from typing import Any

from hub.core.model.deliveries import Destination
from hub.core.model.dialects import Dialect, Render, Split, element, tags
from hub.core.model.flattening import Flattening
from hub.core.model.messages import Outbound
from hub.core.model.richtext import BulletList, Link, RichText, plain_text
from hub.core.ports import Capabilities

MAX_TEXT = 20_000
CAPABILITIES = Capabilities(
    max_text_length=MAX_TEXT,
    markup="html",
    keeps_member_data=True,
    deduplicates=True,  # a resend with the payload's nonce returns the first entry (see sender)
)
SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _link(link: Link, label: Render) -> str:
    url = html.escape(link.url, quote=True)
    return f'<a href="{url}" rel="noopener" target="_blank">{label(link.children)}</a>'


PAGE = Dialect(
    escape=html.escape,
    marks=tags("strong", "em", "s"),
    code=element("code", html.escape),
    link=_link,
    mention=lambda mention: f'<span class="mention">@{html.escape(mention.name)}</span>',
    split=Split(MAX_TEXT),
    flattening=Flattening(link_schemes=SAFE_SCHEMES),
    line_break="<br>",
)


def to_html(body: RichText) -> str:
    """Rich text as safe HTML: flattened like every dialect, every character of text escaped,
    links only http(s)/mailto. The page has no length limit to split at: blocks are elements."""
    return "".join(
        f"<ul>{''.join(f'<li>{PAGE.inline(item)}</li>' for item in block.items)}</ul>"
        if isinstance(block, BulletList)
        else f"<p>{PAGE.inline(block.children)}</p>"
        for block in PAGE.flattening.of(body).blocks
    )


def payloads(outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
    """One payload: HTML for the page, plain text for logs, buttons and poll as data, and a
    random nonce stored with the delivery, so a resend after a timeout is written once."""
    payload: dict[str, Any] = {
        "nonce": secrets.token_hex(12),
        "html": to_html(outbound.body),
        "text": plain_text(outbound.body),
        "private": destination.private,
        "buttons": [
            {"label": b.label, "action": b.action, "value": b.value} for b in outbound.buttons
        ],
    }
    if outbound.poll is not None:
        payload["poll"] = {
            "question": outbound.poll.question,
            "options": list(outbound.poll.options),
        }
    return [payload]
