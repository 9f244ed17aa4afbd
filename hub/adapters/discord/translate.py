"""Pure translation between Discord's wire formats and core types (no I/O).

Outbound: rich text, flattened, → Discord markdown, with every markdown and mention character
of text backslash-escaped (bare web addresses aside) and `allowed_mentions` naming only the members the hub meant to mention
(so member text can never ping @everyone or a role); split at paragraph boundaries under
2,000 characters; buttons as components; polls as native polls. A random `nonce` per message,
stored with the delivery, lets Discord drop a retried duplicate (`enforce_nonce`).
Inbound: gateway events and interaction payloads → core events.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub.adapters.wire import tolerant
from hub.core.model.commands import Grammar, Said, command_or_message, invoked
from hub.core.model.dialects import LOOKALIKES, ZERO_WIDTH_SPACE, guard_line, split_web_addresses
from hub.core.model.domain import Identity
from hub.core.model.events import (
    ButtonClicked,
    Event,
    MemberJoined,
    MemberLeft,
    PollAnswered,
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
    RichText,
    Strike,
    Text,
    block_lines,
    bold_unless_on,
    flatten,
    pack_messages,
)
from hub.core.ports import Capabilities, RateLimit

PLATFORM = "discord"
MAX_CONTENT = 2000
MAX_BUTTONS = 25  # five action rows of five
CAPABILITIES = Capabilities(
    max_text_length=MAX_CONTENT,
    markup="discord-markdown",
    buttons=True,
    native_polls=True,
    private_messages=True,
    reactions=True,
    deduplicates=True,  # every post carries a nonce with enforce_nonce (see the sender)
    rate_limits=(
        RateLimit(scope="bot", count=50, seconds=1.0),
        RateLimit(scope="chat", count=5, seconds=5.0),
    ),
)
COMMAND_NAME = "hub"
COMMAND_OPTION = "command"
_SPECIAL = re.compile(r"([\\*_|`>#\-+\[\]()<@])")
# Discord's strike-through ends at the first `~~`, escaped or not: tildes become look-alikes.
_TILDE = {ord("~"): LOOKALIKES[ord("~")]}
_ADDRESS = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]")  # Discord's (simple-markdown's)
_ADDRESS_END = "\ufeff"
# Percent-encoded in an address (the same address): parentheses, spaces and `>` would end a
# masked link's, and a mark around it would end at a `*`, `~` or `|` in it.
_URL_ESCAPES = str.maketrans({c: f"%{ord(c):02X}" for c in "() >*~|"})
_BLOCK_START = re.compile(r"\s*\d+[.)]\s")  # a numbered list; the other markers are escaped
_UNESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")
_MENTION = re.compile(r"<@!?(?P<user>\d+)>")
HUB_ONLY = Grammar(hub_only=True)
"""Only `/hub …` is a command: Discord's own slash commands never arrive as text."""


def neutral_text(text: str) -> str:
    """A member's text in the core's neutral forms: `<@123>` and `<@!123>` are `@{123}`."""
    return _MENTION.sub(lambda found: mention_token(found.group("user")), text)


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


def to_markdown(children: tuple[Inline, ...], mentioned: set[str]) -> str:
    """Inline rich text (flattened) as Discord markdown; collects the user ids it mentions.
    Touching bold and italic (`**a***b*`) would read as other marks: a zero-width space
    separates them."""
    out = ""
    for node in children:
        piece = _inline(node, mentioned)
        out += ZERO_WIDTH_SPACE + piece if out.endswith("*") and piece.startswith("*") else piece
    return out


_MARKS: dict[type, tuple[str, str]] = {Bold: ("**", "**"), Italic: ("*", "*"), Strike: ("~~", "~~")}


def _inline(node: Inline, mentioned: set[str]) -> str:
    if isinstance(node, Text):
        return escape(node.text)
    if isinstance(node, Bold | Italic | Strike):
        opening, closing = _MARKS[type(node)]
        return f"{opening}{to_markdown(node.children, mentioned)}{closing}"
    if isinstance(node, Code):
        return _code(node.text)
    if isinstance(node, Link):
        return _link(node, mentioned)
    if isinstance(node, Mention):
        user = node.user_id_on(PLATFORM)
        if user and user.isdigit():
            mentioned.add(user)
            return f"<@{user}>"
        return escape(node.name)
    return "\n"


def _code(text: str) -> str:
    """Inline code; Discord finds a mark's end, or a link label's, before the code inside
    it, so the formatting characters and brackets become look-alikes there, the backtick
    included (code has no escape)."""
    return f"`{text.translate(LOOKALIKES).translate(_BRACKETS)}`"


# Discord finds a masked link's label by its brackets, escaped or not: in a label they
# become full-width look-alikes.
_BRACKETS = str.maketrans({"[": "［", "]": "］"})


def _link(node: Link, mentioned: set[str]) -> str:
    """A masked link; the URL in <…> so Discord shows no preview; other schemes stay text."""
    if not node.url.lower().startswith(("http://", "https://")):
        return to_markdown(node.children, mentioned)
    label = to_markdown(_without_brackets(node.children), mentioned)
    return f"[{label}](<{node.url.translate(_URL_ESCAPES)}>)"


def _without_brackets(children: tuple[Inline, ...]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in children:
        if isinstance(node, Text):
            out.append(Text(node.text.translate(_BRACKETS)))
        elif isinstance(node, Code):
            out.append(Code(node.text.translate(_BRACKETS)))
        elif isinstance(node, Bold | Italic | Strike):
            out.append(type(node)(_without_brackets(node.children)))
        else:
            out.append(node)
    return tuple(out)


def _block_lines(block: Block, mentioned: set[str]) -> list[str]:
    bullet = "- " if isinstance(block, BulletList) else ""
    return [
        bullet + guard_line(to_markdown(line, mentioned), _BLOCK_START)
        for line in block_lines(block)
    ]


def split_markdown(body: RichText, mentioned: set[str], limit: int = MAX_CONTENT) -> list[str]:
    """Messages of at most `limit` characters, cut between paragraphs, then between lines."""
    flat = flatten(body, mentions=bold_unless_on(PLATFORM))
    paragraphs = [_block_lines(block, mentioned) for block in flat.blocks]
    return pack_messages(paragraphs, limit, _hard_split)


def _hard_split(line: str, limit: int) -> list[str]:
    """One over-long line: cut as literal text (its markup then shows as typed), never
    inside a backslash escape, so no piece can turn into a mention or formatting."""
    if len(line) <= limit:
        return [line]
    text = escape(unescape(line))
    pieces, start = [], 0
    while start < len(text):
        end = min(start + limit, len(text))
        if end < len(text) and text[end - 1] == "\\":
            end -= 1
        pieces.append(text[start:end])
        start = end
    return pieces


def render(outbound: Outbound) -> list[dict[str, Any]]:
    """Message payloads in sending order: text parts (buttons on the last), then a poll."""
    mentioned: set[str] = set()
    payloads: list[dict[str, Any]] = [
        {"content": text} for text in split_markdown(outbound.body, mentioned)
    ]
    if outbound.buttons:
        if not payloads:
            payloads.append({"content": ""})
        payloads[-1]["buttons"] = [
            {"label": b.label[:80], "custom_id": _custom_id(b.action, b.value)}
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
    for payload in payloads:
        payload["mentions"] = sorted(mentioned)
        payload["nonce"] = secrets.token_hex(12)
    return payloads


def _custom_id(action: str, value: str) -> str:
    return f"{action}:{value}"[:100]


# ---- inbound ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Author:
    """Who did something on Discord, as the gateway or an interaction payload says."""

    user_id: str
    name: str
    bot: bool = False

    def identity(self) -> Identity:
        return Identity(platform=PLATFORM, user_id=self.user_id, display_name=self.name)


@dataclass(frozen=True, slots=True)
class Inbound:
    """Turns one community's Discord activity into core events; [] for what is not ours."""

    community_id: str
    spaces: dict[str, str]  # channel id → space name

    def _base(self, event_id: str, channel_id: str | None, author: Author) -> dict[str, Any]:
        return {
            "event_id": f"discord:{event_id}",
            "community_id": self.community_id,
            "platform": PLATFORM,
            "space": self.spaces.get(channel_id) if channel_id else None,
            "actor": author.identity(),
            "occurred_at": datetime.now(UTC),
        }

    def _ours(self, channel_id: str | None, private: bool) -> bool:
        return private or (channel_id is not None and channel_id in self.spaces)

    def member_joined(
        self, guild_channels: set[str], author: Author, joined_at: datetime | None
    ) -> list[Event]:
        """A guild join is a join of every configured space (channel) of that guild."""
        if author.bot:
            return []
        stamp = int(joined_at.timestamp()) if joined_at else 0
        return [
            MemberJoined(**self._base(f"join:{author.user_id}:{stamp}:{channel}", channel, author))
            for channel in self.spaces
            if channel in guild_channels
        ]

    def member_left(self, guild_channels: set[str], author: Author) -> list[Event]:
        """Leaving the guild leaves its spaces."""
        stamp = int(datetime.now(UTC).timestamp())
        return [
            MemberLeft(**self._base(f"leave:{author.user_id}:{stamp}:{channel}", channel, author))
            for channel in self.spaces
            if channel in guild_channels
        ]

    def message(
        self,
        message_id: str,
        channel_id: str,
        author: Author,
        text: str,
        *,
        private: bool,
        reply_to: str | None = None,
    ) -> list[Event]:
        """A message in a space (or a DM): a `/hub …` command, or a message."""
        if author.bot or not text or not self._ours(channel_id, private):
            return []
        base = self._base(f"message:{message_id}", None if private else channel_id, author)
        said = Said(neutral_text(text), message_id=message_id, reply_to=reply_to)
        found = command_or_message(base, said, HUB_ONLY)
        return [found] if found is not None else []

    def reaction(self, channel_id: str, message_id: str, author: Author, emoji: str) -> list[Event]:
        """A reaction in a space."""
        if author.bot or not self._ours(channel_id, private=False):
            return []
        base = self._base(f"reaction:{message_id}:{author.user_id}:{emoji}", channel_id, author)
        return [ReactionAdded(**base, message_id=message_id, emoji=emoji)]

    def poll_vote(
        self, channel_id: str, message_id: str, author: Author, answer_id: int
    ) -> list[Event]:
        """A vote on a native poll: the poll is the message; answers count from 0 in core."""
        if author.bot or not self._ours(channel_id, private=False):
            return []
        base = self._base(f"vote:{message_id}:{author.user_id}:{answer_id}", channel_id, author)
        return [PollAnswered(**base, poll_id=message_id, option_ids=(answer_id - 1,))]

    @tolerant
    def interaction(self, interaction: Interaction) -> list[Event]:
        """A slash command (`/hub …`) or a button click, from the gateway or the endpoint."""
        author, channel_id = interaction.author, interaction.channel_id
        if author.bot or not self._ours(channel_id, interaction.private):
            return []
        where = None if interaction.private else channel_id
        base = self._base(f"interaction:{interaction.id}", where, author)
        data = interaction.data
        if interaction.kind == 2 and data.get("name") == COMMAND_NAME:
            return [invoked(base, neutral_text(command_text(data)))]
        custom_id = data.get("custom_id")
        if interaction.kind == 3 and isinstance(custom_id, str):
            action, _, value = custom_id.partition(":")
            return [
                ButtonClicked(**base, action=action, value=value, message_id=interaction.message_id)
            ]
        return []


@dataclass(frozen=True, slots=True)
class Interaction:
    """What the hub reads from an interaction, however it arrived."""

    id: str
    kind: int  # 1 ping, 2 application command, 3 component
    data: dict[str, Any]
    author: Author
    channel_id: str | None
    private: bool
    message_id: str | None = None


@tolerant
def read_interaction(payload: dict[str, Any]) -> Interaction | None:
    """An interaction from its JSON (the endpoint); None if it is not one we can use."""
    author = interaction_author(payload)
    kind = payload.get("type")
    if author is None or not isinstance(payload.get("id"), str) or not isinstance(kind, int):
        return None
    return Interaction(
        id=payload["id"],
        kind=kind,
        data=_dict(payload.get("data")),
        author=author,
        channel_id=_str(payload.get("channel_id")),
        private=payload.get("guild_id") is None,
        message_id=_str(_dict(payload.get("message")).get("id")),
    )


def command_text(data: dict[str, Any]) -> str:
    """The words after `/hub` in a slash command's options."""
    for option in data.get("options") or []:
        if isinstance(option, dict) and option.get("name") == COMMAND_OPTION:
            return str(option.get("value") or "")
    return ""


def interaction_author(payload: dict[str, Any]) -> Author | None:
    """The member (in a guild) or user (in a DM) behind an interaction."""
    member = _dict(payload.get("member"))
    user = _dict(member.get("user")) or _dict(payload.get("user"))
    user_id = _str(user.get("id"))
    if user_id is None or not user_id.isdigit():
        return None
    name = member.get("nick") or user.get("global_name") or user.get("username") or user_id
    return Author(user_id=user_id, name=str(name), bot=bool(user.get("bot")))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
