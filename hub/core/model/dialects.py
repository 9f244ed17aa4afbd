"""One walker renders rich text in any platform's dialect, described as data.

A platform says how it writes text (`escape`), marks (`marks`: bold, italic, strike), code,
links and mentions, how pieces join (where touching marks need a separator), how lines start
(a bullet, a guard against reading text as a block), and how a message that is too long is
cut (`Split`). `lines` renders a body as the lines of each block, `messages` packs them
into messages within the platform's hard limit: every adapter's renderer is these two calls
around its own payload.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from hub.core.model.flattening import Flattening
from hub.core.model.lookalikes import guard_line, wrap
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
)

Render = Callable[[tuple[Inline, ...]], str]
"""Renders inline content in the dialect (given to `Dialect.link` for the label)."""
Pieces = list[tuple[str, bool]]
"""Rendered inline nodes, each with whether it is a mark or code (which may need flanking)."""
_Flanked = Bold | Italic | Strike | Code


Marks = Mapping[type, tuple[str, str]]
"""How a dialect opens and closes each mark (bold, italic, strike)."""
_MARKED = (Bold, Italic, Strike)


def tags(bold: str, italic: str, strike: str) -> Marks:
    """Marks written as HTML elements: `tags("b", "i", "s")`."""
    return {
        kind: (f"<{tag}>", f"</{tag}>")
        for kind, tag in zip(_MARKED, (bold, italic, strike), strict=True)
    }


def delimiters(bold: str, italic: str, strike: str) -> Marks:
    """Marks written between two of the same delimiter: `delimiters("**", "*", "~~")`."""
    return {kind: (mark, mark) for kind, mark in zip(_MARKED, (bold, italic, strike), strict=True)}


def element(tag: str, escape: Callable[[str], str]) -> Callable[[str], str]:
    """Text as an HTML element around its escaped characters: `element("code", escape)`."""
    return lambda text: f"<{tag}>{escape(text)}</{tag}>"


def joined(pieces: Pieces) -> str:
    """Pieces side by side (dialects whose marks are tags)."""
    return "".join(text for text, _ in pieces)


@dataclass(frozen=True, slots=True)
class Lines:
    """How a block's lines start: the bullet of list items, and a guard for text that would
    read as one of the dialect's blocks (a quote, a numbered list)."""

    bullet: str = "• "
    block_start: re.Pattern[str] | None = None
    guard_items: bool = True
    """Whether list items are guarded too (Slack's bullet already keeps them text)."""


@dataclass(frozen=True, slots=True)
class Split:
    """How a message over the limit is cut. Between paragraphs, then lines, first; a line
    longer than `limit` is made `literal` (its markup shown as typed, so no piece can carry
    half a mark) and `cut` into a head that fits and the rest."""

    limit: int
    literal: Callable[[str], str] = str
    cut: Callable[[str, int], tuple[str, str]] = lambda text, limit: (text[:limit], text[limit:])


@dataclass(frozen=True, slots=True)
class Dialect:
    """Everything the walker needs to write rich text for one platform."""

    escape: Callable[[str], str]
    marks: Marks
    code: Callable[[str], str]
    split: Split
    link: Callable[[Link, Render], str] | None = None
    """None where the dialect has no links (flattening made them text): the label."""
    mention: Callable[[Mention], str] | None = None
    """None where the dialect has no mentions (flattening made them names): the name."""
    flattening: Flattening = field(default_factory=Flattening)
    join: Callable[[Pieces], str] = joined
    lines: Lines = field(default_factory=Lines)
    line_break: str = "\n"
    guards_addresses: bool = False
    """A mark whose text ends with a web address gets a zero-width space before it closes
    (Slack, WhatsApp: the address would swallow the closing delimiter)."""

    def inline(self, children: tuple[Inline, ...]) -> str:
        """Inline content (flattened) in this dialect."""
        return self.join([(self._node(node), isinstance(node, _Flanked)) for node in children])

    def _node(self, node: Inline) -> str:
        if isinstance(node, Text):
            return self.escape(node.text)
        if isinstance(node, Bold | Italic | Strike):
            return self._marked(self.marks[type(node)], self.inline(node.children))
        if isinstance(node, Code):
            return self.code(node.text)
        if isinstance(node, Link):
            return self.link(node, self.inline) if self.link else self.inline(node.children)
        if isinstance(node, Mention):
            return self.mention(node) if self.mention else self.escape(node.name)
        return self.line_break

    def _marked(self, delimiters: tuple[str, str], inner: str) -> str:
        opening, closing = delimiters
        if self.guards_addresses:
            return wrap(opening, inner, closing)
        return f"{opening}{inner}{closing}"

    def block(self, block: Block) -> list[str]:
        """A block's lines, each complete markup, so a message can be cut between them."""
        items = isinstance(block, BulletList)
        bullet = self.lines.bullet if items else ""
        guard = self.lines.block_start if self.lines.guard_items or not items else None
        return [bullet + _guarded(self.inline(line), guard) for line in block_lines(block)]

    def blocks(self, body: RichText) -> list[list[str]]:
        """The body, flattened for this dialect, as the lines of each block."""
        return [self.block(block) for block in self.flattening.of(body).blocks]

    def messages(self, body: RichText) -> list[str]:
        """The body as messages within the dialect's limit."""
        return pack_messages(self.blocks(body), self.split)


def _guarded(line: str, block_start: re.Pattern[str] | None) -> str:
    return guard_line(line, block_start) if block_start is not None else line


def pack_messages(paragraphs: Iterable[list[str]], split: Split) -> list[str]:
    """Rendered paragraphs (each a list of rendered lines) packed into messages of at most
    `split.limit` characters, cut between paragraphs, then between lines, then by `cut_line`."""
    limit = split.limit
    parts: list[str] = []
    current = ""
    for lines in paragraphs:
        for index, line in enumerate(lines):
            separator = ("\n" if index else "\n\n") if current else ""
            if len(current) + len(separator) + len(line) <= limit:
                current += separator + line
                continue
            if current:
                parts.append(current)
            *full, current = cut_line(line, split)
            parts.extend(full)
    if current:
        parts.append(current)
    return parts


def cut_line(line: str, split: Split) -> list[str]:
    """One line as pieces within the limit: as is if it fits, else its literal text, cut."""
    if len(line) <= split.limit:
        return [line]
    text, pieces = split.literal(line), []
    while len(text) > split.limit:
        head, text = split.cut(text, split.limit)
        pieces.append(head)
    return [*pieces, text]
