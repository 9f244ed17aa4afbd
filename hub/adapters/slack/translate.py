"""Pure translation between Slack's wire formats and core types (no I/O).

Outbound: rich text, flattened, → mrkdwn in section blocks (≤ 3,000 characters each, ≤ 50
blocks and ≤ 12,000 characters a message), buttons as an actions block, polls as buttons.
Slack's escaping (`&`, `<`, `>`) is applied to every character of text, so member text can
never ping `<!channel>`, and `*_~` and the backtick become look-alikes, so it never formats.
Inbound: Events API envelopes, slash commands and interactivity payloads → core events.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from hub.adapters.wire import tolerant
from hub.core.model.commands import Grammar, Said, command_or_message, invoked
from hub.core.model.deliveries import Destination
from hub.core.model.dialects import LOOKALIKES, guard_line, join_flanked, lookalike, wrap
from hub.core.model.domain import Identity
from hub.core.model.events import (
    ButtonClicked,
    Event,
    MemberJoined,
    MemberLeft,
    ReactionAdded,
)
from hub.core.model.mentions import mention_token
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
    Paragraph,
    RichText,
    Strike,
    Text,
    block_lines,
    bold_unless_on,
    flatten,
    plain_inline,
)
from hub.core.ports import Capabilities, RateLimit

PLATFORM = "slack"
LINK_SCHEMES = ("http://", "https://", "mailto:")
SECTION_LIMIT = 3000
MESSAGE_LIMIT = 12_000
MAX_BLOCKS = 45  # below Slack's 50, leaving room for the actions block
CAPABILITIES = Capabilities(
    max_text_length=MESSAGE_LIMIT,
    markup="mrkdwn",
    buttons=True,
    native_polls=False,
    private_messages=True,
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


def to_mrkdwn(children: tuple[Inline, ...]) -> str:
    """Inline rich text (flattened) as mrkdwn."""
    return join_flanked((_inline(node), isinstance(node, _Flanked)) for node in children)


_Flanked = Bold | Italic | Strike | Code
_MARKS: dict[type, str] = {Bold: "*", Italic: "_", Strike: "~"}
_BLOCK_START = re.compile(r"\s*&gt;")  # a quote


def _inline(node: Inline) -> str:
    if isinstance(node, Text):
        return literal(node.text)
    if isinstance(node, Bold | Italic | Strike):
        return wrap(_MARKS[type(node)], to_mrkdwn(node.children))
    if isinstance(node, Code):
        return f"`{escape(node.text.translate(LOOKALIKES))}`"
    if isinstance(node, Link):
        if not node.url.lower().startswith(LINK_SCHEMES):
            return to_mrkdwn(node.children)
        url = node.url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
        return f"<{url}|{literal(plain_inline(node.children))}>"  # Slack formats no label
    if isinstance(node, Mention):
        user = node.user_id_on(PLATFORM)
        return f"<@{user}>" if user else literal(node.name)
    return "\n"


def _block_text(block: Block) -> str:
    if isinstance(block, BulletList):
        return "\n".join("• " + to_mrkdwn(item) for item in block.items)
    return "\n".join(guard_line(to_mrkdwn(line), _BLOCK_START) for line in block_lines(block))


def _chunks(text: str, limit: int) -> list[str]:
    """Split a block's mrkdwn at line breaks, then hard, so no chunk exceeds `limit`."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            candidate = line
        current = candidate
    if current:
        chunks.append(current)
    return chunks


def sections(body: RichText) -> list[str]:
    """The mrkdwn of each section block, in order, each within Slack's 3,000 characters."""
    flat = flatten(body, mentions=bold_unless_on(PLATFORM), link_schemes=LINK_SCHEMES)
    return [chunk for block in flat.blocks for chunk in _chunks(_block_text(block), SECTION_LIMIT)]


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


def render(
    outbound: Outbound, destination: Destination, thread_ts: str | None = None
) -> list[dict[str, Any]]:
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


# ---- inbound ------------------------------------------------------------------------------

IGNORED_SUBTYPES = {
    "message_changed",
    "message_deleted",
    "channel_join",
    "channel_leave",
    "bot_message",
}


@tolerant
def event_to_core(
    envelope: dict[str, Any], community_id: str, spaces: dict[str, str], bot_user_id: str | None
) -> list[Event]:
    """An Events API `event_callback` as core events ([] for anything the hub does not use)."""
    event = envelope.get("event")
    event_id = envelope.get("event_id")
    if not isinstance(event, dict) or not isinstance(event_id, str):
        return []
    user, channel = event.get("user"), event.get("channel") or _item_channel(event)
    if (
        not isinstance(user, str)
        or not isinstance(channel, str)
        or user == bot_user_id
        or event.get("bot_id")
    ):
        return []
    space = spaces.get(channel)
    private = event.get("channel_type") == "im"
    if space is None and not private:
        return []
    base: dict[str, Any] = {
        "event_id": f"slack:{event_id}",
        "community_id": community_id,
        "platform": PLATFORM,
        "space": space,
        "actor": Identity(platform=PLATFORM, user_id=user, display_name=user),
        "occurred_at": _time(envelope.get("event_time")),
    }
    return _inner(event, base, bot_user_id)


def _inner(event: dict[str, Any], base: dict[str, Any], bot_user_id: str | None) -> list[Event]:
    kind = event.get("type")
    if kind == "member_joined_channel":
        return [MemberJoined(**base)]
    if kind == "member_left_channel":
        return [MemberLeft(**base)]
    if kind == "reaction_added" and isinstance(event.get("reaction"), str):
        item = _dict(event.get("item"))
        emoji = base_emoji(event["reaction"])
        return [ReactionAdded(**base, message_id=str(item.get("ts", "")), emoji=emoji)]
    if kind in ("message", "app_mention") and event.get("subtype") not in IGNORED_SUBTYPES:
        return _message(event, base, bot_user_id, mentioned=kind == "app_mention")
    return []


def _message(
    event: dict[str, Any], base: dict[str, Any], bot_user_id: str | None, mentioned: bool
) -> list[Event]:
    text, ts = event.get("text"), event.get("ts")
    if not isinstance(text, str) or not isinstance(ts, str) or event.get("subtype"):
        return []
    text = neutral_text(text)
    if mentioned and bot_user_id:
        text = text.replace(mention_token(bot_user_id), "").strip()
    thread = event.get("thread_ts")
    reply_to = thread if isinstance(thread, str) and thread != ts else None
    said = Said(text, message_id=ts, reply_to=reply_to)
    found = command_or_message(base, said, Grammar(addressed=mentioned))
    return [found] if found is not None else []


_MENTION = re.compile(r"<@(?P<user>[A-Za-z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(?P<url>[^@#!|>][^|>]*)(?:\|[^>]*)?>")
_SKIN_TONE = re.compile(r"::skin-tone-\d$")


def neutral_text(text: str) -> str:
    """A member's text in the core's neutral forms: `<@U123|zoe>` is `@{U123}`, a link
    `<https://x.org|x.org>` its plain address."""
    text = _MENTION.sub(lambda found: mention_token(found.group("user")), text)
    return _LINK.sub(lambda found: found.group("url"), text)


def base_emoji(reaction: str) -> str:
    """A reaction's emoji without Slack's skin-tone suffix: `+1::skin-tone-2` is `+1`."""
    return _SKIN_TONE.sub("", reaction)


@tolerant
def slash_command_to_core(
    form: dict[str, str], community_id: str, spaces: dict[str, str]
) -> list[Event]:
    """`/hub verb args` from a slash command form."""
    user, channel, trigger = form.get("user_id"), form.get("channel_id"), form.get("trigger_id")
    if not user or not channel or not trigger:
        return []
    space = spaces.get(channel)
    if space is None and not channel.startswith("D"):
        return []
    actor = Identity(platform=PLATFORM, user_id=user, display_name=form.get("user_name") or user)
    base = {
        "event_id": f"slack:command:{trigger}",
        "community_id": community_id,
        "platform": PLATFORM,
        "space": space,
        "actor": actor,
        "occurred_at": datetime.now(UTC),
    }
    return [invoked(base, neutral_text(form.get("text", "")))]


@tolerant
def interaction_to_core(
    payload: dict[str, Any], community_id: str, spaces: dict[str, str]
) -> list[Event]:
    """`block_actions` (a button press) as ButtonClicked; other interactions are not used yet."""
    if payload.get("type") != "block_actions":
        return []
    user, channel, message = (
        _dict(payload.get("user")),
        _dict(payload.get("channel")),
        _dict(payload.get("message")),
    )
    actions = payload.get("actions") if isinstance(payload.get("actions"), list) else []
    user_id, channel_id = user.get("id"), channel.get("id")
    if not isinstance(user_id, str) or not isinstance(channel_id, str) or not actions:
        return []
    action = _dict(actions[0])
    value = action.get("value")
    if not isinstance(value, str):
        return []
    name, _, argument = value.partition(":")
    actor = Identity(
        platform=PLATFORM, user_id=user_id, display_name=str(user.get("username") or user_id)
    )
    return [
        ButtonClicked(
            event_id=f"slack:action:{action.get('action_ts', '')}:{user_id}",
            community_id=community_id,
            platform=PLATFORM,
            space=spaces.get(channel_id),
            actor=actor,
            occurred_at=datetime.now(UTC),
            action=name,
            value=argument,
            message_id=str(message.get("ts")) if message.get("ts") else None,
        )
    ]


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _item_channel(event: dict[str, Any]) -> str | None:
    item = event.get("item")
    return (
        item.get("channel")
        if isinstance(item, dict) and isinstance(item.get("channel"), str)
        else None
    )


def _time(value: object) -> datetime:
    if isinstance(value, int | float) and 0 < value < 10**11:
        return datetime.fromtimestamp(value, UTC)
    return datetime.now(UTC)
