"""Platform-neutral rich text, and the small markup owners write it in.

Owners write texts in a Markdown subset: `**bold**`, `_italic_`, `~~struck~~`, `` `code` ``,
`[label](url)`,
`- list items`, blank lines between paragraphs, single newlines as line breaks, and `\\x` to
escape a character. A mention is `[Name](member:42)`, produced by `{{ member.mention }}`.
Member-provided text is escaped with `escape_markup` before it meets the parser, so it can never
become markup, a link or a mention. Adapters render the parsed tree to their own dialect.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Text:
    """Plain characters."""

    text: str


@dataclass(frozen=True, slots=True)
class Bold:
    """Strong emphasis."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Italic:
    """Emphasis."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strike:
    """Struck-through text (something done, or no longer true)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Code:
    """Inline monospace text."""

    text: str


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink with a label."""

    url: str
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Mention:
    """A reference to a member; `user_ids` maps platform → platform user id where known."""

    member_id: int
    name: str
    user_ids: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def user_id_on(self, platform: str) -> str | None:
        """The member's id on `platform`, so the adapter can render a real mention."""
        return dict(self.user_ids).get(platform)


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A line break inside a paragraph."""


Inline = Text | Bold | Italic | Strike | Code | Link | Mention | LineBreak


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A run of inline content."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class BulletList:
    """A list; each item is a run of inline content."""

    items: tuple[tuple[Inline, ...], ...]


Block = Paragraph | BulletList


@dataclass(frozen=True, slots=True)
class RichText:
    """A message body: a sequence of blocks."""

    blocks: tuple[Block, ...]


_ESCAPED = re.compile(r"([\\*_`\[\]()\-#>~|])")
_LIST_ITEM = re.compile(r"^\s*[-*]\s+")
_INLINE = re.compile(
    r"\\(?P<escaped>.)"
    r"|`(?P<code>(?:\\.|[^`\\])+)`"
    r"|\*\*(?P<bold>(?:\\.|[^\\])+?)\*\*"
    r"|~~(?P<strike>(?:\\.|[^\\])+?)~~"
    r"|(?<![\w\\])_(?P<italic>(?:\\.|[^_\\])+?)_(?!\w)"
    r"|\[(?P<label>(?:\\.|[^\]\\])+)\]\((?P<url>(?:\\.|[^)\\\s])+)\)",
    re.DOTALL,
)
_MEMBER_URL = re.compile(r"^member:(\d+)$")


def escape_markup(text: str) -> str:
    """Make any text literal for `parse_markup` (used for everything a member typed)."""
    return _ESCAPED.sub(r"\\\1", text)


def mention_markup(member_id: int, name: str) -> str:
    """The markup of a mention of a member."""
    return f"[{escape_markup(name)}](member:{member_id})"


def parse_markup(source: str) -> RichText:
    """Parse owner markup into rich text. Never raises: unknown syntax stays literal text."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", source.replace("\r\n", "\n").strip("\n")):
        if not chunk.strip():
            continue
        lines = chunk.split("\n")
        if all(_LIST_ITEM.match(line) for line in lines):
            items = tuple(_parse_inline(_LIST_ITEM.sub("", line, count=1)) for line in lines)
            blocks.append(BulletList(items))
        else:
            blocks.append(Paragraph(_parse_lines(lines)))
    return RichText(tuple(blocks))


def _parse_lines(lines: list[str]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for index, line in enumerate(lines):
        if index:
            out.append(LineBreak())
        out.extend(_parse_inline(line))
    return tuple(out)


def _parse_inline(source: str) -> tuple[Inline, ...]:
    out: list[Inline] = []
    position = 0
    for match in _INLINE.finditer(source):
        if match.start() > position:
            _append_text(out, source[position : match.start()])
        _append_match(out, match)
        position = match.end()
    if position < len(source):
        _append_text(out, source[position:])
    return tuple(out)


def _append_match(out: list[Inline], match: re.Match[str]) -> None:
    groups = match.groupdict()
    if groups["escaped"] is not None:
        _append_text(out, groups["escaped"])
    elif groups["code"] is not None:
        out.append(Code(_unescape(groups["code"])))
    elif groups["bold"] is not None:
        out.append(Bold(_parse_inline(groups["bold"])))
    elif groups["italic"] is not None:
        out.append(Italic(_parse_inline(groups["italic"])))
    elif groups["strike"] is not None:
        out.append(Strike(_parse_inline(groups["strike"])))
    else:
        out.append(_link_or_mention(groups["label"], _unescape(groups["url"])))


def _link_or_mention(label: str, url: str) -> Inline:
    member = _MEMBER_URL.match(url)
    if member:
        return Mention(int(member.group(1)), _unescape(label))
    return Link(url, _parse_inline(label))


def _append_text(out: list[Inline], text: str) -> None:
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text + text)
    else:
        out.append(Text(text))


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def block_lines(block: Block) -> list[tuple[Inline, ...]]:
    """A block as lines of inline content (its items, or its paragraph cut at line breaks):
    the units a long message can be split between without cutting any markup in two."""
    if isinstance(block, BulletList):
        return list(block.items)
    lines: list[tuple[Inline, ...]] = [()]
    for node in block.children:
        if isinstance(node, LineBreak):
            lines.append(())
        else:
            lines[-1] = (*lines[-1], node)
    return lines


def plain_text(body: RichText) -> str:
    """The text without markup: for previews, logs and platforms without formatting."""
    return "\n\n".join(_plain_block(block) for block in body.blocks)


def _plain_block(block: Block) -> str:
    if isinstance(block, BulletList):
        return "\n".join("• " + plain_inline(item) for item in block.items)
    return plain_inline(block.children)


def plain_inline(children: tuple[Inline, ...]) -> str:
    """The characters of inline content, mentions as names, line breaks as newlines."""
    parts: list[str] = []
    for node in children:
        if isinstance(node, Text | Code):
            parts.append(node.text)
        elif isinstance(node, Bold | Italic | Strike | Link):
            parts.append(plain_inline(node.children))
        elif isinstance(node, Mention):
            parts.append(node.name)
        else:
            parts.append("\n")
    return "".join(parts)


def with_mention_ids(body: RichText, user_ids: dict[int, tuple[tuple[str, str], ...]]) -> RichText:
    """The same text with each mention's platform user ids filled in, for the renderers."""
    return map_mentions(body, lambda m: Mention(m.member_id, m.name, user_ids.get(m.member_id, ())))


def mentioned_members(body: RichText) -> set[int]:
    """The ids of every member mentioned in the text."""
    return {mention.member_id for mention in mentions_in(body)}


Marked = Bold | Italic | Strike | Link
"""The inline nodes that hold other inline nodes."""


def runs(body: RichText) -> list[tuple[Inline, ...]]:
    """The runs of inline content of the text: each paragraph, each list item."""
    return [run for block in body.blocks for run in _block_runs(block)]


def _block_runs(block: Block) -> tuple[tuple[Inline, ...], ...]:
    return block.items if isinstance(block, BulletList) else (block.children,)


def mentions_in(body: RichText) -> list[Mention]:
    """Every mention in the text, in reading order."""
    found: list[Mention] = []

    def visit(children: tuple[Inline, ...]) -> None:
        for node in children:
            if isinstance(node, Mention):
                found.append(node)
            elif isinstance(node, Marked):
                visit(node.children)

    for run in runs(body):
        visit(run)
    return found


def map_mentions(body: RichText, shown: Callable[[Mention], Inline]) -> RichText:
    """The same text with each mention replaced by what `shown` makes of it."""

    def visit(children: tuple[Inline, ...]) -> tuple[Inline, ...]:
        return tuple(
            shown(node)
            if isinstance(node, Mention)
            else rebuilt(node, visit(node.children))
            if isinstance(node, Marked)
            else node
            for node in children
        )

    return RichText(
        tuple(
            BulletList(tuple(visit(item) for item in block.items))
            if isinstance(block, BulletList)
            else Paragraph(visit(block.children))
            for block in body.blocks
        )
    )


def rebuilt(mark: Marked, children: tuple[Inline, ...]) -> Marked:
    """The same mark (and link address) around other children."""
    if isinstance(mark, Link):
        return Link(mark.url, children)
    return type(mark)(children)
