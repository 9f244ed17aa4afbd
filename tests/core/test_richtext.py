"""Owner markup parses into neutral rich text; member text can never become markup."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.core.richtext import (
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
