"""What the fakes share to read message markup the way the platforms display it.

A parse gives spans: `(text shown, marks on it)`. Marks are names: `bold`, `italic`, `strike`,
`underline`, `spoiler`, `code`, `quote`, `heading`, `list`, `link:URL`, `mention:ID`,
`everyone` (a ping of everyone), `autolink` (a bare address the app links), `unescaped` (a
control character the platform says must be escaped). Bullets show as "• ".

Slack's mrkdwn and WhatsApp's formatting mark a span with one delimiter on each side (`*b*`),
which counts only next to a space or punctuation and never across a line: `flanked` reads
that, strictly — a delimiter opens only at a line start or after a space, a zero-width space or
one of `*_~([{"'`, and is followed by a non-space; it closes only after a non-space and before
the end, a space, a zero-width space or one of `*_~)]}"'.,;:!?`. Platforms accept more than
this; a renderer that passes here passes there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Span = tuple[str, frozenset[str]]

ZERO_WIDTH = "\u200b\u2060"
OPENS_AFTER = frozenset(" \t\n" + ZERO_WIDTH + "*_~([{\"'")
CLOSES_BEFORE = frozenset(" \t\n" + ZERO_WIDTH + "*_~)]}\"'.,;:!?")


class MarkupError(ValueError):
    """Markup the platform refuses (Telegram's "can't parse entities")."""


@dataclass(frozen=True, slots=True)
class Atom:
    """One unit of a line: what it shows, its marks, where it is in the source, and the raw
    delimiter it may be (empty for text that can never open or close a mark)."""

    text: str
    marks: frozenset[str]
    start: int
    end: int
    delimiter: str = ""


def flanked(atoms: list[Atom], source: str, delimiters: Mapping[str, str]) -> list[Span]:
    """Spans of one line of atoms, with single-delimiter marks matched left to right."""
    return _flanked(atoms, 0, len(atoms), frozenset(), source, delimiters)


def _flanked(
    atoms: list[Atom],
    low: int,
    high: int,
    marks: frozenset[str],
    source: str,
    delimiters: Mapping[str, str],
) -> list[Span]:
    spans: list[Span] = []
    index = low
    while index < high:
        atom = atoms[index]
        close = _closing(atoms, index, high, source) if atom.delimiter in delimiters else None
        if close is None:
            spans.append((atom.text, marks | atom.marks))
            index += 1
            continue
        inner = marks | {delimiters[atom.delimiter]}
        spans += _flanked(atoms, index + 1, close, inner, source, delimiters)
        index = close + 1
    return spans


def _closing(atoms: list[Atom], index: int, high: int, source: str) -> int | None:
    opener = atoms[index]
    if _before(source, opener.start) not in OPENS_AFTER or _after(source, opener.end).isspace():
        return None
    for later in range(index + 2, high):
        atom = atoms[later]
        if atom.delimiter == opener.delimiter and _closes(source, atom):
            return later
    return None


def _closes(source: str, atom: Atom) -> bool:
    return not _before(source, atom.start).isspace() and _after(source, atom.end) in CLOSES_BEFORE


def _before(source: str, position: int) -> str:
    return source[position - 1] if position > 0 else "\n"


def _after(source: str, position: int) -> str:
    return source[position] if position < len(source) else "\n"


def bullet(line: str, markers: tuple[str, ...]) -> tuple[str, str] | None:
    """`(bullet shown, rest)` if `line` starts (after spaces) with a list marker and a space."""
    stripped = line.lstrip(" ")
    for marker in markers:
        if stripped.startswith(marker + " "):
            return "• ", stripped[len(marker) + 1 :]
    return None


def plain(spans: list[Span]) -> str:
    """The characters shown."""
    return "".join(text for text, _ in spans)
