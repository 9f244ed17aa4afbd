"""The webchat's HTML rendering of rich text."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings

from hub.adapters.webchat.render import SAFE_SCHEMES, to_html
from hub.core.model.richtext import RichText, escape_markup, parse_markup
from tests.adapters.markup_checks import Dialect, expected_spans, rich_texts, shown
from tests.fakes.markup import Span


def test_styles_become_html_and_member_text_stays_text() -> None:
    assert to_html(parse_markup("**a** _b_ ~~c~~")) == (
        "<p><strong>a</strong> <em>b</em> <s>c</s></p>"
    )
    assert to_html(parse_markup(escape_markup("~~<b>x</b>~~"))) == "<p>~~&lt;b&gt;x&lt;/b&gt;~~</p>"


# ---- markup from members and owners shows cleanly (issue 11, point 7) ----------------------

_MARKS = {"strong": "bold", "em": "italic", "s": "strike", "code": "code"}


class _Page(HTMLParser):
    """Reads the HTML as a browser shows it: its text, and the marks on each piece."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.spans: list[Span] = []
        self.open: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("p", "ul", "li", "br"):
            self._separate(tag)
            return
        mark = _MARKS.get(tag)
        if tag == "a":
            mark = f"link:{found['href']}"
        elif tag == "span" and found.get("class") == "mention":
            mark = "mention"
        assert mark is not None, f"unexpected tag {tag} {attrs}"
        self.open.append((tag, mark))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("p", "ul", "li"):
            assert self.open and self.open.pop()[0] == tag

    def handle_data(self, data: str) -> None:
        self.spans.append((data, frozenset(mark for _, mark in self.open)))

    def _separate(self, tag: str) -> None:
        first = not self.spans
        separator = {"p": "\n\n", "ul": "\n\n", "br": "\n", "li": "\n"}[tag]
        if tag == "li" and self.spans and self.spans[-1][0] == "\n\n":
            separator = ""
        self.spans += [(separator, frozenset())] * (not first) + [("• ", frozenset())] * (
            tag == "li"
        )


def shown_in_browser(markup: str) -> list[Span]:
    page = _Page()
    page.feed(markup)
    page.close()
    return page.spans


WEBCHAT = Dialect(
    "webchat",
    schemes=SAFE_SCHEMES,
    mentions=lambda mention: mention,
    mention=lambda m, marks: [("@" + m.name, marks | {"mention"})],
)


@settings(max_examples=300, deadline=None)
@given(rich_texts("webchat"))
def test_any_rich_text_shows_in_the_page_exactly_as_meant(body: RichText) -> None:
    assert shown(shown_in_browser(to_html(body))) == shown(expected_spans(body, WEBCHAT))
