"""Random rich text full of hostile member strings, and what each dialect must show for it.

The property tests of each adapter render `rich_texts(platform)`, read the result back with
the platform's own parse (the fakes), and compare it with `expected_spans` of the same rich
text: the same characters (no stray markup, none lost) carrying the same marks — so member
strings never make a mark, a link or a mention, and the marks asked for (once flattened) are
all there. Look-alikes (of `*_~` and the backtick everywhere, of brackets in Discord's link
labels) and invisible guards count as the characters they stand for.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from hypothesis import strategies as st

from hub.core.model.flattening import bold_unless_on, flatten
from hub.core.model.richtext import (
    Bold,
    BulletList,
    Code,
    Inline,
    Italic,
    LineBreak,
    Link,
    Mention,
    Paragraph,
    RichText,
    Strike,
    Text,
    plain_inline,
)
from tests.fakes.markup import Span

HOSTILE = (
    "**Bold** _it_",
    "*Jean_Pierre* ~x~ `y`",
    "<!everyone>",
    "<!channel> & <@U999> <https://evil.example|x>",
    "@everyone",
    "@here",
    "<@123>",
    "<@&456>",
    "<#789>",
    "<t:0:R>",
    "<:e:1>",
    "<b>gras</b> </i>",
    "&amp; &lt; &",
    "||secret||",
    "# title",
    "> quote",
    "- item",
    "* item",
    "1. item",
    "[gagne](https://evil.example)",
    "[x](member:1)",
    "\\*\\_",
    "voir https://ex.org/a_b*c* ici",
    "a*b*c _d_e",
    "~~fini~~",
    "👋🏽 Zoé",
    "e\u0301\u0301 n\u0303",
    "**",
    "*" * 30,
    "_" * 30,
    "`" * 7,
    " ",
)
_PIECES = [*"*_~`<>&|#[]()@\\-!:.+=", "a", "Z", "é", " ", "👋🏽", "e\u0301", "\u200b"]
member_strings = st.one_of(
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=10).map("".join),
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=10),
)
LINK_TARGETS = (
    "https://ex.org/a_b?q=1&r=2",
    "https://ex.org/*x*~y~",
    "mailto:zoe@ex.org",
    "javascript:alert(1)",
)


def user_id(platform: str, name: str) -> str:
    """A stable platform user id for a mention's name (Slack's start with U)."""
    digits = str(zlib.crc32(name.encode()) + 10**9)
    return "U" + digits if platform == "slack" else digits


def _mention(platform: str) -> st.SearchStrategy[Mention]:
    def build(name: str, known: bool) -> Mention:
        ids = ((platform, user_id(platform, name)),) if known else (("other", "1"),)
        return Mention(zlib.crc32(name.encode()), name, ids)

    return st.builds(build, member_strings, st.booleans())


def _inline(platform: str) -> st.SearchStrategy[Inline]:
    leaf = st.one_of(member_strings.map(Text), member_strings.map(Code), _mention(platform))

    def marks(children: st.SearchStrategy[Inline]) -> st.SearchStrategy[Inline]:
        runs = st.lists(children, min_size=1, max_size=3).map(tuple)
        return st.one_of(
            runs.map(Bold),
            runs.map(Italic),
            runs.map(Strike),
            st.builds(Link, st.sampled_from(LINK_TARGETS), runs),
        )

    return st.recursive(leaf, marks, max_leaves=5)


def rich_texts(platform: str) -> st.SearchStrategy[RichText]:
    """Paragraphs of one or two lines and bullet lists, of nested marks around member text."""
    line = st.lists(_inline(platform), min_size=1, max_size=3)

    def paragraph(lines: list[list[Inline]]) -> Paragraph:
        children: list[Inline] = []
        for index, nodes in enumerate(lines):
            children += [LineBreak()] * bool(index) + nodes
        return Paragraph(tuple(children))

    paragraphs = st.lists(line, min_size=1, max_size=2).map(paragraph)
    bullets = st.lists(line.map(tuple), min_size=1, max_size=3).map(
        lambda items: BulletList(tuple(items))
    )
    blocks = st.lists(st.one_of(paragraphs, bullets), min_size=1, max_size=3)
    return blocks.map(lambda found: RichText(tuple(found)))


@dataclass(frozen=True)
class Dialect:
    """How a platform shows what rich text means, for `expected_spans`."""

    platform: str
    schemes: tuple[str, ...] = ("http://", "https://")
    mention: Callable[[Mention, frozenset[str]], list[Span]] = lambda m, marks: [(m.name, marks)]
    mentions: Callable[[Mention], Inline] | None = None  # as the renderer flattens them
    links_as_text: bool = False  # WhatsApp: "label (address)", flattened so
    marks_in_links: bool = True  # Slack shows a link's label as plain text


def expected_spans(body: RichText, dialect: Dialect) -> list[Span]:
    """What the member must see: the flattened rich text, as spans."""
    flat = flatten(
        body,
        mentions=dialect.mentions or bold_unless_on(dialect.platform),
        link_schemes=dialect.schemes,
        links_as_text=dialect.links_as_text,
    )
    spans: list[Span] = []
    for index, block in enumerate(flat.blocks):
        spans += [("\n\n", frozenset())] * bool(index)
        if isinstance(block, Paragraph):
            spans += _spans(block.children, frozenset(), dialect)
            continue
        for number, item in enumerate(block.items):
            spans += [("\n", frozenset())] * bool(number) + [("• ", frozenset())]
            spans += _spans(item, frozenset(), dialect)
    return spans


_MARK_NAMES = {Bold: "bold", Italic: "italic", Strike: "strike"}


def _spans(children: tuple[Inline, ...], marks: frozenset[str], dialect: Dialect) -> list[Span]:
    spans: list[Span] = []
    for node in children:
        if isinstance(node, Text):
            spans.append((node.text, marks))
        elif isinstance(node, Code):
            spans.append((node.text, marks | {"code"}))
        elif isinstance(node, Bold | Italic | Strike):
            spans += _spans(node.children, marks | {_MARK_NAMES[type(node)]}, dialect)
        elif isinstance(node, Link):
            spans += _link(node, marks, dialect)
        elif isinstance(node, Mention):
            spans += dialect.mention(node, marks)
        else:
            spans.append(("\n", frozenset()))
    return spans


def _link(node: Link, marks: frozenset[str], dialect: Dialect) -> list[Span]:
    linked = marks | {f"link:{node.url}"}
    if not dialect.marks_in_links:
        return [(plain_inline(node.children), linked)]
    return _spans(node.children, linked, dialect)


_FOLD = str.maketrans(
    {"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ", "[": "［", "]": "］"}
    | {"\u200b": None, "\u2060": None, "\ufeff": None}
)


def shown(spans: list[Span]) -> list[Span]:
    """Spans as the member reads them: look-alikes and zero-width guards folded, autolinks
    (a bare address the app links, showing itself) ignored, addresses percent-decoded (the
    same address), touching equal marks merged."""
    out: list[Span] = []
    for text, marks in spans:
        folded = (unquote(text) if "autolink" in marks else text).translate(_FOLD)
        kept = frozenset(
            "link:" + unquote(mark[5:]) if mark.startswith("link:") else mark
            for mark in marks - {"autolink"}
        )
        if not folded:
            continue
        if out and out[-1][1] == kept:
            out[-1] = (out[-1][0] + folded, kept)
        else:
            out.append((folded, kept))
    return out


def users_of(body: RichText, platform: str) -> dict[str, str]:
    """The platform's directory for the fake: user id → name of each mention it can ping."""
    users: dict[str, str] = {}

    def visit(children: tuple[Inline, ...]) -> None:
        for node in children:
            user = node.user_id_on(platform) if isinstance(node, Mention) else None
            if isinstance(node, Mention) and user:
                users[user] = node.name
            elif isinstance(node, Bold | Italic | Strike | Link):
                visit(node.children)

    for block in body.blocks:
        for run in block.items if isinstance(block, BulletList) else (block.children,):
            visit(run)
    return users


def at_mention(platform: str) -> Callable[[Mention, frozenset[str]], list[Span]]:
    """A mention the platform shows as `@name` and marks with the user's id."""

    def spans(mention: Mention, marks: frozenset[str]) -> list[Span]:
        return [("@" + mention.name, marks | {f"mention:{mention.user_id_on(platform)}"})]

    return spans
