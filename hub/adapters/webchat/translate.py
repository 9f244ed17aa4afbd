"""Pure translation between webchat wire data and core types (no I/O)."""

from __future__ import annotations

import html
import secrets
from datetime import datetime
from typing import Any

from hub.core.model.commands import Said, command_or_message
from hub.core.model.deliveries import Destination
from hub.core.model.domain import Identity
from hub.core.model.events import ButtonClicked, CommandInvoked, MemberJoined, MessageReceived
from hub.core.model.messages import Outbound
from hub.core.model.richtext import (
    Block,
    Bold,
    BulletList,
    Code,
    Inline,
    Italic,
    Link,
    Mention,
    RichText,
    Strike,
    Text,
    flatten,
    plain_text,
)
from hub.core.ports import Capabilities

PLATFORM = "webchat"
CAPABILITIES = Capabilities(
    max_text_length=20_000,
    markup="html",
    buttons=True,
    native_polls=False,
    private_messages=True,
    keeps_member_data=True,
    deduplicates=True,  # a resend with the payload's nonce returns the first entry (see sender)
)
SAFE_SCHEMES = ("http://", "https://", "mailto:")


def to_html(body: RichText) -> str:
    """Rich text as safe HTML: flattened like every dialect, every character of text escaped,
    links only http(s)/mailto."""
    return "".join(_block_html(block) for block in flatten(body, link_schemes=SAFE_SCHEMES).blocks)


def _block_html(block: Block) -> str:
    if isinstance(block, BulletList):
        items = "".join(f"<li>{_inline_html(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    return f"<p>{_inline_html(block.children)}</p>"


def _inline_html(children: tuple[Inline, ...]) -> str:
    return "".join(_node_html(node) for node in children)


_MARKS: dict[type, tuple[str, str]] = {
    Bold: ("<strong>", "</strong>"),
    Italic: ("<em>", "</em>"),
    Strike: ("<s>", "</s>"),
}


def _node_html(node: Inline) -> str:
    if isinstance(node, Text):
        return html.escape(node.text)
    if isinstance(node, Bold | Italic | Strike):
        opening, closing = _MARKS[type(node)]
        return f"{opening}{_inline_html(node.children)}{closing}"
    if isinstance(node, Code):
        return f"<code>{html.escape(node.text)}</code>"
    if isinstance(node, Link):
        if not node.url.lower().startswith(SAFE_SCHEMES):
            return _inline_html(node.children)
        url = html.escape(node.url, quote=True)
        return f'<a href="{url}" rel="noopener" target="_blank">{_inline_html(node.children)}</a>'
    if isinstance(node, Mention):
        return f'<span class="mention">@{html.escape(node.name)}</span>'
    return "<br>"


def render(outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
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


def to_member_joined(
    community_id: str, space: str, user_id: str, name: str, now: datetime
) -> MemberJoined:
    """A person joined a room by picking a display name."""
    return MemberJoined(
        event_id=f"webchat:join:{space}:{user_id}",
        community_id=community_id,
        platform=PLATFORM,
        space=space,
        actor=Identity(platform=PLATFORM, user_id=user_id, display_name=name),
        occurred_at=now,
    )


def to_message_event(
    community_id: str,
    space: str,
    identity: Identity,
    text: str,
    message_id: str,
    reply_to: str | None,
    now: datetime,
) -> MessageReceived | CommandInvoked:
    """A member wrote in a room (`message_id` is its stream entry id): a command or a message."""
    base: dict[str, Any] = {
        "event_id": f"webchat:message:{message_id}",
        "community_id": community_id,
        "platform": PLATFORM,
        "space": space,
        "actor": identity,
        "occurred_at": now,
    }
    found = command_or_message(base, Said(text, message_id=message_id, reply_to=reply_to))
    assert found is not None  # plain text is always a command or a message
    return found


def to_button_clicked(
    community_id: str,
    space: str,
    identity: Identity,
    action: str,
    value: str,
    message_id: str | None,
    click_id: str,
    now: datetime,
) -> ButtonClicked:
    """A member pressed one of the hub's buttons on the page."""
    return ButtonClicked(
        event_id=f"webchat:click:{click_id}",
        community_id=community_id,
        platform=PLATFORM,
        space=space,
        actor=identity,
        occurred_at=now,
        action=action,
        value=value,
        message_id=message_id,
    )
