"""Slack's dialect (mrkdwn) and its payloads: chat.postMessage arguments (no I/O).

Rich text, flattened, → mrkdwn in section blocks (≤ 3,000 characters each, ≤ 50 blocks and
≤ 12,000 characters a message), buttons as an actions block, polls as buttons. Slack's
escaping (`&`, `<`, `>`) is applied to every character of text, so member text can never ping
`<!channel>`, and `*_~` and the backtick become look-alikes, so it never formats.
"""

from __future__ import annotations

import re
from typing import Any

from hub.adapters.slack.settings import PLATFORM
from hub.core.model.dialects import Dialect, Lines, Render, Split, delimiters, pack_messages
from hub.core.model.flattening import Flattening, bold_unless_on
from hub.core.model.lookalikes import LOOKALIKES, join_flanked, lookalike
from hub.core.model.messages import Outbound
from hub.core.model.richtext import (
    Bold,
    Link,
    Mention,
    Paragraph,
    RichText,
    Text,
    plain_inline,
)
from hub.core.ports import Capabilities, RateLimit

LINK_SCHEMES = ("http://", "https://", "mailto:")
SECTION_LIMIT = 3000
MESSAGE_LIMIT = 12_000
MAX_BLOCKS = 45  # below Slack's 50, leaving room for the actions block
CAPABILITIES = Capabilities(
    max_text_length=MESSAGE_LIMIT,
    markup="mrkdwn",
    threads=True,
    reactions=True,
    rate_limits=(RateLimit(scope="chat", count=1, seconds=1.0),),
)


def escape(text: str) -> str:
    """Slack's three control characters, the only ones mrkdwn can escape."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def literal(text: str) -> str:
    """Text Slack shows as typed: control characters escaped, and the formatting characters
    mrkdwn cannot escape (`*_~` and the backtick) made look-alikes, web addresses kept."""
    return escape(lookalike(text))


def _link(link: Link, label: Render) -> str:
    url = link.url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{url}|{literal(plain_inline(link.children))}>"  # Slack formats no label


def _mention(mention: Mention) -> str:
    user = mention.user_id_on(PLATFORM)
    return f"<@{user}>" if user else literal(mention.name)


MRKDWN = Dialect(
    escape=literal,
    marks=delimiters("*", "_", "~"),
    code=lambda text: f"`{escape(text.translate(LOOKALIKES))}`",
    link=_link,
    mention=_mention,
    split=Split(SECTION_LIMIT),
    flattening=Flattening(mentions=bold_unless_on(PLATFORM), link_schemes=LINK_SCHEMES),
    join=join_flanked,
    lines=Lines(bullet="• ", block_start=re.compile(r"\s*&gt;"), guard_items=False),  # a quote
    guards_addresses=True,
)


def sections(body: RichText) -> list[str]:
    """The mrkdwn of each section block, in order, each within Slack's 3,000 characters:
    a block is never packed with another, only cut between its lines."""
    return [
        section
        for lines in MRKDWN.blocks(body)
        for section in pack_messages(["\n".join(lines).split("\n")], MRKDWN.split)
    ]


def _messages(texts: list[str]) -> list[list[str]]:
    """Group sections into messages within Slack's block count and total size."""
    messages: list[list[str]] = [[]]
    size = 0
    for text in texts:
        if messages[-1] and (len(messages[-1]) >= MAX_BLOCKS or size + len(text) > MESSAGE_LIMIT):
            messages.append([])
            size = 0
        messages[-1].append(text)
        size += len(text)
    return messages


def _buttons(outbound: Outbound) -> list[dict[str, Any]]:
    choices = [(b.label, f"{b.action}:{b.value}") for b in outbound.buttons]
    if outbound.poll is not None:
        choices += [(option, f"poll:{index}") for index, option in enumerate(outbound.poll.options)]
    return [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": label[:75]},
            "action_id": f"hub-{index}",
            "value": value[:2000],
        }
        for index, (label, value) in enumerate(choices[:25])
    ]


def payloads(outbound: Outbound, thread_ts: str | None = None) -> list[dict[str, Any]]:
    """chat.postMessage arguments, one dict per message; buttons go with the last one."""
    body = outbound.body
    if outbound.poll is not None:
        body = RichText((*body.blocks, Paragraph((Bold((Text(outbound.poll.question),)),))))
    groups = _messages(sections(body)) or [[]]
    buttons = _buttons(outbound)
    return [
        _payload(group, buttons if index == len(groups) - 1 else [], thread_ts)
        for index, group in enumerate(groups)
    ]


def _payload(
    group: list[str], buttons: list[dict[str, Any]], thread_ts: str | None
) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": t}} for t in group
    ]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    payload: dict[str, Any] = {
        "text": "\n\n".join(group)[:MESSAGE_LIMIT] or " ",
        "blocks": blocks,
        "unfurl_links": False,
    }
    if thread_ts:
        payload["thread_ts"] = thread_ts
    return payload
