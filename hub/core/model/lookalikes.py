"""Look-alikes and guards: how text stays literal in chat dialects that have no escape.

Slack's mrkdwn and WhatsApp's formatting have no escape for `*`, `_`, `~` and `` ` ``
(Slack escapes only `&`, `<`, `>`), so in text those characters become look-alikes that
cannot format: one table, used by every renderer that needs it. Bare web addresses keep
their characters, so a member's link still works: the platforms link them before they
format. The same dialects only see a delimiter next to a space or punctuation (`a*b*` is not
bold on Slack), so a mark that touches a letter gets a zero-width space on that side (and one
before its closing delimiter if it ends with a web address, which would swallow it); and a
line that starts like a quote or a list gets a word joiner in front of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

LOOKALIKES = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})
"""Formatting characters and the look-alikes that replace them in text."""

ZERO_WIDTH_SPACE = "\u200b"
WORD_JOINER = "\u2060"
WEB_ADDRESS = re.compile(r"(?<![^\s(\"'])https?://[^\s<>\u200b\u2060]*[^\s<>\u200b\u2060*_~`]")
"""A bare web address where Slack and WhatsApp link it: after a space or an opening
parenthesis or quote, up to a space; never ending with a formatting character."""

_OPENS_AFTER = frozenset(" \t\n" + ZERO_WIDTH_SPACE + WORD_JOINER + "*_~([{\"'")
_CLOSES_BEFORE = frozenset(" \t\n" + ZERO_WIDTH_SPACE + WORD_JOINER + "*_~)]}\"'.,;:!?")


def split_web_addresses(
    text: str, addresses: re.Pattern[str] = WEB_ADDRESS
) -> list[tuple[str, bool]]:
    """`text` as pieces, each with whether it is a bare web address (as `addresses` finds
    them: each platform links its own way)."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for found in addresses.finditer(text):
        if found.start() > position:
            pieces.append((text[position : found.start()], False))
        pieces.append((found.group(), True))
        position = found.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def lookalike(text: str) -> str:
    """Text that shows as typed where formatting characters cannot be escaped; web
    addresses are kept whole so they still open."""
    return "".join(
        piece if is_address else piece.translate(LOOKALIKES)
        for piece, is_address in split_web_addresses(text)
    )


def join_flanked(pieces: Iterable[tuple[str, bool]]) -> str:
    """Rendered inline pieces joined; each `(text, is_mark)` mark that touches a letter or a
    digit of its neighbour (or the end of a web address) is separated from it by a zero-width
    space, so it still formats."""
    parts = [(text, mark) for text, mark in pieces if text]
    out: list[str] = []
    for index, (text, mark) in enumerate(parts):
        if mark and index and _touches(parts[index - 1][0]):
            out.append(ZERO_WIDTH_SPACE)
        out.append(text)
        if mark and index + 1 < len(parts) and parts[index + 1][0][0] not in _CLOSES_BEFORE:
            out.append(ZERO_WIDTH_SPACE)
    return "".join(out)


def wrap(opening: str, inner: str, closing: str) -> str:
    """`inner` between its delimiters; if it ends with a web address, a zero-width space
    keeps the closing delimiter out of the address the platform will link."""
    words = inner.split()
    guard = ZERO_WIDTH_SPACE if words and "://" in words[-1] else ""
    return f"{opening}{inner}{guard}{closing}"


def _touches(before: str) -> bool:
    """Whether a delimiter right after `before` would not open (or would join an address)."""
    words = before.split()
    return before[-1] not in _OPENS_AFTER or bool(words and "://" in words[-1])


def guard_line(line: str, block_start: re.Pattern[str]) -> str:
    """`line` with a word joiner in front if it starts like one of the dialect's blocks
    (a quote, a list item, a heading), so text that happens to start that way stays text."""
    return WORD_JOINER + line if block_start.match(line) else line
