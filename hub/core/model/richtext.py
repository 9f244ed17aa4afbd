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
from collections.abc import Callable, Iterable
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


def pack_messages(
    paragraphs: Iterable[list[str]], limit: int, hard_split: Callable[[str, int], list[str]]
) -> list[str]:
    """Rendered paragraphs (each a list of rendered lines) packed into messages of at most
    `limit` characters, cut between paragraphs, then between lines. A line longer than
    `limit` is cut by `hard_split`, which knows the dialect's markup and escapes."""
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
            *full, current = hard_split(line, limit)
            parts.extend(full)
    if current:
        parts.append(current)
    return parts


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
    return RichText(tuple(_map_block(block, user_ids) for block in body.blocks))


def mentioned_members(body: RichText) -> set[int]:
    """The ids of every member mentioned in the text."""
    found: set[int] = set()
    for block in body.blocks:
        runs = block.items if isinstance(block, BulletList) else (block.children,)
        for run in runs:
            _collect_mentions(run, found)
    return found


def _collect_mentions(children: tuple[Inline, ...], found: set[int]) -> None:
    for node in children:
        if isinstance(node, Mention):
            found.add(node.member_id)
        elif isinstance(node, Bold | Italic | Strike | Link):
            _collect_mentions(node.children, found)


def _map_block(block: Block, user_ids: dict[int, tuple[tuple[str, str], ...]]) -> Block:
    if isinstance(block, BulletList):
        return BulletList(tuple(_map_inline(item, user_ids) for item in block.items))
    return Paragraph(_map_inline(block.children, user_ids))


def _map_inline(
    children: tuple[Inline, ...], user_ids: dict[int, tuple[tuple[str, str], ...]]
) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in children:
        if isinstance(node, Mention):
            out.append(Mention(node.member_id, node.name, user_ids.get(node.member_id, ())))
        elif isinstance(node, Bold):
            out.append(Bold(_map_inline(node.children, user_ids)))
        elif isinstance(node, Italic):
            out.append(Italic(_map_inline(node.children, user_ids)))
        elif isinstance(node, Strike):
            out.append(Strike(_map_inline(node.children, user_ids)))
        elif isinstance(node, Link):
            out.append(Link(node.url, _map_inline(node.children, user_ids)))
        else:
            out.append(node)
    return tuple(out)


# ---- flattening, for the renderers ---------------------------------------------------------

_Mark = Bold | Italic | Strike | Link


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
        body = _map_mentions(body, mentions)
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
    if not isinstance(node, Bold | Italic | Strike | Link):
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


def _marked(mark: _Mark, line: list[Inline]) -> list[Inline]:
    """`mark` around `line`, with the spaces at its ends moved outside it."""
    before, inner, after = _strip_spaces(line)
    if not _visible(inner):
        return [*before, *inner, *after]
    return [*before, _rebuild(mark, inner), *after]


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
    elif isinstance(node, _Mark) and isinstance(last, _Mark) and _same_mark(last, node):
        merged = list(last.children)
        for child in node.children:
            _push(merged, child)
        out[-1] = _rebuild(node, tuple(merged))
    elif not (isinstance(node, Text) and not node.text):
        out.append(node)


def _same_mark(first: _Mark, second: _Mark) -> bool:
    if isinstance(first, Link) and isinstance(second, Link):
        return first.url == second.url
    return type(first) is type(second)


def _rebuild(mark: _Mark, children: tuple[Inline, ...]) -> _Mark:
    if isinstance(mark, Link):
        return Link(mark.url, children)
    return type(mark)(children)


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


def _map_mentions(body: RichText, shown: Callable[[Mention], Inline]) -> RichText:
    def visit(children: tuple[Inline, ...]) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for node in children:
            if isinstance(node, Mention):
                out.append(shown(node))
            elif isinstance(node, Bold | Italic | Strike | Link):
                out.append(_rebuild(node, visit(node.children)))
            else:
                out.append(node)
        return tuple(out)

    return RichText(
        tuple(
            BulletList(tuple(visit(item) for item in block.items))
            if isinstance(block, BulletList)
            else Paragraph(visit(block.children))
            for block in body.blocks
        )
    )
