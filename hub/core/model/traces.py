"""How a forgotten member shows in rows that are not theirs: their id, account ids and names.

Pure rules (decision 013): a delivery's text names them when one of their names or account ids
is in it as a whole word, once markup escapes are undone and case ignored; idempotency keys
lose their account ids and, in a message about them, their member id.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hub.core.model.domain import Identity

FORGOTTEN = "forgotten"
SKIPPED_REASON = "named a member who asked to be forgotten: not sent"


@dataclass(frozen=True, slots=True)
class Traces:
    """The forgotten member's id, accounts and names."""

    member_id: int
    accounts: tuple[Identity, ...]
    names: tuple[str, ...]

    @property
    def user_ids(self) -> tuple[str, ...]:
        """Their account ids on every platform."""
        return tuple(a.user_id for a in self.accounts)

    def in_text(self) -> re.Pattern[str] | None:
        """Any of their names or account ids, as a whole word, in normalised text."""
        words = [re.escape(normal(w)) for w in (*self.user_ids, *self.names) if len(w) > 1]
        if not words:
            return None
        alternatives = "|".join(sorted(words, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    def scrubbed_key(self, key: str, stand_in: str, named: bool) -> str:
        """The key without their account ids (a cause's event id can embed one) and, in a
        message about them, without their member id (`points:badge:7:…`); still `|`-shaped."""
        parts = key.split("|")
        for user_id in self.user_ids:
            token = re.compile(rf"(?<=[:|]){re.escape(user_id)}(?=[:|]|$)")
            parts = [token.sub(stand_in, p) for p in parts]
        if named and len(parts) > 1:
            parts[1] = re.sub(rf"(?<=:){self.member_id}(?=:|$)", stand_in, parts[1])
        return "|".join(parts)


def strings(value: Any) -> Iterator[str]:
    """Every string in JSON data, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def normal(text: str) -> str:
    """Text as compared: markup entities and escapes undone, case ignored."""
    return html.unescape(text).replace("\\", "").casefold()
