"""Rich text made renderable by every chat dialect: the step each renderer takes first.

Chat dialects mark a span by wrapping it in delimiters, which nests badly; `flatten` gives
them a tree they can all write as is (see its docstring), and says how mentions and links
appear where a platform cannot ping or link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hub.core.model.richtext import (
    Block,
    Bold,
    BulletList,
    Code,
    Inline,
    LineBreak,
    Link,
    Marked,
    Mention,
    Paragraph,
    RichText,
    Text,
    map_mentions,
    plain_inline,
    rebuilt,
)

WEB_SCHEMES = ("http://", "https://")


@dataclass(frozen=True, slots=True)
class _Rules:
    schemes: tuple[str, ...]
    links_as_text: bool


def flatten(
    body: RichText,
    *,
    mentions: Callable[[Mention], Inline] | None = None,
    link_schemes: tuple[str, ...] = WEB_SCHEMES,
    links_as_text: bool = False,
) -> RichText:
    """The same text with its marks made renderable by every dialect; all renderers use it.

    Chat dialects mark a span by wrapping it in delimiters, so `**a **b** c**` (a bold mention
    inside an owner's bold title) closes early and leaves stray asterisks. Here a mark inside
    the same mark is dropped, and so is a mention inside a link (it would be a link in a link);
    marks are cut at line breaks and never start or end with spaces (Slack and WhatsApp ignore
    `* a*`); marks with nothing visible in them disappear; touching identical marks (and code)
    merge (`*a**b*` would read as two stray asterisks). Different marks nest as written: every
    dialect the hub speaks can nest them. `mentions` says first what each mention is on the
    platform (`bold_unless_on`, `as_name`), so a name shown in bold is flattened too.
    A link to a scheme not in `link_schemes` (`javascript:`) becomes its label; with
    `links_as_text` (a dialect without links) every link becomes "label (address)".
    """
    if mentions is not None:
        body = map_mentions(body, mentions)
    rules = _Rules(link_schemes, links_as_text)
    return RichText(tuple(_flat_block(block, rules) for block in body.blocks))


def _flat_block(block: Block, rules: _Rules) -> Block:
    if isinstance(block, BulletList):
        return BulletList(tuple(_flat_run(item, frozenset(), rules) for item in block.items))
    return Paragraph(_flat_run(block.children, frozenset(), rules))


def _flat_run(
    children: tuple[Inline, ...], inside: frozenset[type], rules: _Rules
) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in children:
        for piece in _flat_node(node, inside, rules):
            _push(out, piece)
    return tuple(out)


def _flat_node(node: Inline, inside: frozenset[type], rules: _Rules) -> list[Inline]:
    if isinstance(node, Mention) and Link in inside:
        return [Text(node.name)]
    if isinstance(node, Code):
        return _trimmed_code(node.text)
    if isinstance(node, Link) and (
        rules.links_as_text or not node.url.lower().startswith(rules.schemes)
    ):
        return _unlinked(node, inside, rules)
    if not isinstance(node, Marked):
        return [node]
    kind = type(node)
    children = _flat_run(node.children, inside | {kind}, rules)
    if kind in inside:
        return list(children)
    pieces: list[Inline] = []
    for index, line in enumerate(_lines(children)):
        if index:
            pieces.append(LineBreak())
        pieces.extend(_marked(node, line))
    return pieces


def _unlinked(link: Link, inside: frozenset[type], rules: _Rules) -> list[Inline]:
    """A link as its label, followed by its address where the dialect has no links."""
    label = list(_flat_run(link.children, inside, rules))
    if not rules.links_as_text or not link.url.lower().startswith(rules.schemes):
        return label
    if plain_inline(tuple(label)).strip() in ("", link.url):
        return [Text(link.url)]
    return [*label, Text(f" ({link.url})")]


def _lines(children: tuple[Inline, ...]) -> list[list[Inline]]:
    lines: list[list[Inline]] = [[]]
    for node in children:
        if isinstance(node, LineBreak):
            lines.append([])
        else:
            lines[-1].append(node)
    return lines


def _marked(mark: Marked, line: list[Inline]) -> list[Inline]:
    """`mark` around `line`, with the spaces at its ends moved outside it."""
    before, inner, after = _strip_spaces(line)
    if not _visible(inner):
        return [*before, *inner, *after]
    return [*before, rebuilt(mark, inner), *after]


def _strip_spaces(line: list[Inline]) -> tuple[list[Inline], tuple[Inline, ...], list[Inline]]:
    before: list[Inline] = []
    after: list[Inline] = []
    nodes = list(line)
    while nodes and isinstance(nodes[0], Text) and not nodes[0].text.lstrip():
        before.append(nodes.pop(0))
    while nodes and isinstance(nodes[-1], Text) and not nodes[-1].text.rstrip():
        after.insert(0, nodes.pop())
    if nodes and isinstance(nodes[0], Text):
        text = nodes[0].text
        stripped = text.lstrip()
        before.append(Text(text[: len(text) - len(stripped)]))
        nodes[0] = Text(stripped)
    if nodes and isinstance(nodes[-1], Text):
        text = nodes[-1].text
        stripped = text.rstrip()
        after.insert(0, Text(text[len(stripped) :]))
        nodes[-1] = Text(stripped)
    return [n for n in before if n != Text("")], tuple(nodes), [n for n in after if n != Text("")]


def _visible(children: tuple[Inline, ...]) -> bool:
    return any(isinstance(n, Mention | Code) for n in children) or bool(
        plain_inline(children).strip()
    )


def _trimmed_code(text: str) -> list[Inline]:
    stripped = text.strip()
    if not stripped:
        return [Text(text)] if text else []
    start = text.index(stripped)
    edges = (Text(text[:start]), Code(stripped), Text(text[start + len(stripped) :]))
    return [node for node in edges if node != Text("")]


def _push(out: list[Inline], node: Inline) -> None:
    """Append, merging touching text and touching identical marks."""
    last = out[-1] if out else None
    if isinstance(node, Text) and isinstance(last, Text):
        out[-1] = Text(last.text + node.text)
    elif isinstance(node, Code) and isinstance(last, Code):
        out[-1] = Code(last.text + node.text)
    elif isinstance(node, Marked) and isinstance(last, Marked) and _same_mark(last, node):
        merged = list(last.children)
        for child in node.children:
            _push(merged, child)
        out[-1] = rebuilt(node, tuple(merged))
    elif not (isinstance(node, Text) and not node.text):
        out.append(node)


def _same_mark(first: Marked, second: Marked) -> bool:
    if isinstance(first, Link) and isinstance(second, Link):
        return first.url == second.url
    return type(first) is type(second)


def bold_unless_on(platform: str) -> Callable[[Mention], Inline]:
    """Mentions for a platform that pings: a member it knows is a mention, any other is
    their name in bold."""

    def shown(mention: Mention) -> Inline:
        if mention.user_id_on(platform) is not None:
            return mention
        return Bold((Text(mention.name),))

    return shown


def as_name(mention: Mention) -> Inline:
    """A mention as the member's name, for platforms without mentions."""
    return Text(mention.name)


@dataclass(frozen=True, slots=True)
class Flattening:
    """How one dialect flattens: what a mention is there, which links it keeps."""

    mentions: Callable[[Mention], Inline] | None = None
    link_schemes: tuple[str, ...] = WEB_SCHEMES
    links_as_text: bool = False

    def of(self, body: RichText) -> RichText:
        """`body` flattened by these rules."""
        return flatten(
            body,
            mentions=self.mentions,
            link_schemes=self.link_schemes,
            links_as_text=self.links_as_text,
        )
