"""Owner markup parses into neutral rich text; member text can never become markup."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
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
    escape_markup,
    mention_markup,
    mentioned_members,
    parse_markup,
    plain_text,
    with_mention_ids,
)
from hub.core.model.templates import member_variables, render_template
from tests.adapters.markup_checks import rich_texts


def inline(source: str) -> tuple[Inline, ...]:
    (block,) = parse_markup(source).blocks
    assert isinstance(block, Paragraph)
    return block.children


def walk(body: RichText) -> list[Inline]:
    found: list[Inline] = []

    def visit(children: tuple[Inline, ...]) -> None:
        for node in children:
            found.append(node)
            if isinstance(node, Bold | Italic | Strike | Link):
                visit(node.children)

    for block in body.blocks:
        for run in block.items if isinstance(block, BulletList) else (block.children,):
            visit(run)
    return found


def test_parses_bold_italic_code_and_links() -> None:
    assert inline("**gras** _italique_ `code` [site](https://ex.org/a_b)") == (
        Bold((Text("gras"),)),
        Text(" "),
        Italic((Text("italique"),)),
        Text(" "),
        Code("code"),
        Text(" "),
        Link("https://ex.org/a_b", (Text("site"),)),
    )


def test_double_tildes_strike_through_and_a_single_one_is_text() -> None:
    assert inline("~~fini~~ ~10 €") == (Strike((Text("fini"),)), Text(" ~10 €"))
    assert inline(escape_markup("~~pas barré~~")) == (Text("~~pas barré~~"),)
    assert plain_text(parse_markup("~~**x**~~")) == "x"


def test_blank_lines_make_paragraphs_and_single_newlines_line_breaks() -> None:
    body = parse_markup("un\ndeux\n\ntrois")
    assert body.blocks == (
        Paragraph((Text("un"), LineBreak(), Text("deux"))),
        Paragraph((Text("trois"),)),
    )


def test_dash_lines_make_a_list() -> None:
    body = parse_markup("- un\n- **deux**")
    assert body.blocks == (BulletList(((Text("un"),), (Bold((Text("deux"),)),))),)
    assert plain_text(body) == "• un\n• deux"


def test_a_member_url_is_a_mention() -> None:
    assert inline(mention_markup(42, "Zoé")) == (Mention(42, "Zoé"),)


def test_underscores_inside_words_are_not_italic() -> None:
    assert inline("snake_case_name") == (Text("snake_case_name"),)


def test_member_text_never_becomes_a_link_or_mention() -> None:
    hostile = "[gagne](https://evil.example) [x](member:1) **cri** _i_ `c` - \\"
    body = parse_markup(escape_markup(hostile))
    assert plain_text(body) == hostile
    assert all(isinstance(node, Text) for node in walk(body))


def test_mentions_are_found_and_given_platform_ids() -> None:
    body = parse_markup(f"**{mention_markup(3, 'Ana')}** et {mention_markup(5, 'Bo')}")
    assert mentioned_members(body) == {3, 5}
    filled = with_mention_ids(body, {3: (("telegram", "111"),)})
    mentions = [n for n in walk(filled) if isinstance(n, Mention)]
    assert [m.user_id_on("telegram") for m in mentions] == ["111", None]


single_line = st.text(
    st.characters(blacklist_categories=("Cs", "Zl", "Zp", "Cc")), min_size=1
).filter(lambda t: t.strip() == t)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parsing_never_fails(source: str) -> None:
    parse_markup(source)


@settings(max_examples=300, deadline=None)
@given(single_line)
def test_escaped_text_reads_back_exactly_and_is_only_text(text: str) -> None:
    body = parse_markup(escape_markup(text))
    assert plain_text(body) == text
    assert all(isinstance(node, Text) for node in walk(body))


@settings(max_examples=300, deadline=None)
@given(single_line)
def test_escaped_text_inside_emphasis_stays_one_node(text: str) -> None:
    escaped = escape_markup(text)
    for wrapped, kind in (
        (f"**{escaped}**", Bold),
        (f"_{escaped}_", Italic),
        (f"`{escaped}`", Code),
    ):
        (node,) = inline(wrapped)
        assert isinstance(node, kind)
        assert plain_text(RichText((Paragraph((node,)),))) == text


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**9), single_line)
def test_a_mention_of_any_name_is_one_mention(member_id: int, name: str) -> None:
    assert inline(mention_markup(member_id, name)) == (Mention(member_id, name),)


# ---- flattening for the renderers (issue 11, point 7) --------------------------------------


def test_a_bold_title_around_a_mention_shown_bold_is_one_bold_title() -> None:
    body = render_template(
        "🌟 **À la une : {{ m.mention }}**", {"m": member_variables(9, "Amélie")}
    )
    assert flatten(body, mentions=bold_unless_on("slack")).blocks == (
        Paragraph((Text("🌟 "), Bold((Text("À la une : Amélie"),)))),
    )


def test_flattening_drops_repeated_marks_spaces_and_empty_marks_and_merges_neighbours() -> None:
    body = RichText(
        (
            Paragraph(
                (
                    Bold((Text(" a "), Italic((Bold((Text("b"),)),)))),
                    Bold((Text("c"),)),
                    Italic((Text("  "),)),
                    Strike((Text("x"), LineBreak(), Text("y"))),
                    Link("https://ex.org", (Mention(1, "Zoé"),)),
                    Link("javascript:alert(1)", (Text(" j"),)),
                    Code(" k"),
                    Code("l "),
                )
            ),
        )
    )
    assert flatten(body).blocks == (
        Paragraph(
            (
                Text(" "),
                Bold((Text("a "), Italic((Text("b"),)), Text("c"))),
                Text("  "),
                Strike((Text("x"),)),
                LineBreak(),
                Strike((Text("y"),)),
                Link("https://ex.org", (Text("Zoé"),)),
                Text(" j "),
                Code("kl"),
                Text(" "),
            )
        ),
    )


def test_links_become_label_and_address_where_a_dialect_has_none() -> None:
    body = parse_markup("[le site](https://ex.org) [https://ex.org](https://ex.org)")
    assert flatten(body, links_as_text=True).blocks == (
        Paragraph((Text("le site (https://ex.org) https://ex.org"),)),
    )


def _marks_per_character(body: RichText) -> list[tuple[str, frozenset[str]]]:
    """Each visible character with the kinds of marks around it."""
    found: list[tuple[str, frozenset[str]]] = []
    for block in body.blocks:
        for run in block.items if isinstance(block, BulletList) else (block.children,):
            _visit(run, frozenset(), found)
    return found


def _visit(
    children: tuple[Inline, ...], marks: frozenset[str], found: list[tuple[str, frozenset[str]]]
) -> None:
    for node in children:
        if isinstance(node, Text | Code):
            kind = marks | ({"code"} if isinstance(node, Code) else set())
            found.extend((c, kind) for c in node.text if not c.isspace())
        elif isinstance(node, Mention):
            inside = marks if "link" in marks else marks | {"mention"}
            found.extend((c, inside) for c in node.name if not c.isspace())
        elif isinstance(node, Link):
            linked = node.url.startswith(("http://", "https://"))
            _visit(node.children, marks | ({"link"} if linked else set()), found)
        elif not isinstance(node, LineBreak):
            _visit(node.children, marks | {type(node).__name__}, found)


def _invariants(children: tuple[Inline, ...], inside: frozenset[type]) -> None:
    for before, after in itertools.pairwise(children):
        assert not (isinstance(before, Text) and isinstance(after, Text))
        assert not (isinstance(before, Bold | Italic | Strike) and type(before) is type(after))
    for node in children:
        if isinstance(node, Bold | Italic | Strike | Link):
            assert type(node) not in inside and node.children
            assert not any(isinstance(n, LineBreak) for n in node.children)
            first, last = node.children[0], node.children[-1]
            assert not (isinstance(first, Text) and first.text[:1].isspace())
            assert not (isinstance(last, Text) and last.text[-1:].isspace())
            _invariants(node.children, inside | {type(node)})
        elif isinstance(node, Mention):
            assert Link not in inside


@settings(max_examples=300, deadline=None)
@given(rich_texts("slack"))
def test_flattening_keeps_every_character_and_its_marks(body: RichText) -> None:
    flat = flatten(body)
    assert plain_text(flat) == plain_text(body)
    assert _marks_per_character(flat) == _marks_per_character(body)
    for block in flat.blocks:
        for run in block.items if isinstance(block, BulletList) else (block.children,):
            _invariants(run, frozenset())
    assert flatten(flat) == flat
