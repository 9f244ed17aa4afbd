"""The webchat's HTML rendering of rich text."""

from __future__ import annotations

from hub.adapters.webchat.translate import to_html
from hub.core.richtext import escape_markup, parse_markup


def test_styles_become_html_and_member_text_stays_text() -> None:
    assert to_html(parse_markup("**a** _b_ ~~c~~")) == (
        "<p><strong>a</strong> <em>b</em> <s>c</s></p>"
    )
    assert to_html(parse_markup(escape_markup("~~<b>x</b>~~"))) == "<p>~~&lt;b&gt;x&lt;/b&gt;~~</p>"
