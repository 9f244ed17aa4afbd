"""What every inbound event goes through before the hub keeps it: one cleaning, one set of limits.

Platforms (and people pretending to be them) send text the database and the renderers cannot
take as is: NUL characters (PostgreSQL refuses them), lone surrogates (no UTF-8 encoding
exists), control characters, names of thousands of characters. Each adapter translates its
wire format; this module then cleans every string of the resulting event the same way, so no
adapter can forget to, and refuses ids that could not be stored without being cut.

Limits (characters, documented in the README):

| field | limit | over the limit |
| --- | --- | --- |
| display names | 100 | cut |
| message text, reasons, command arguments | 4,000 | cut |
| event ids | 255 | refused: `InboundRejected` |
| user, message and poll ids | 128 | refused: `InboundRejected` |
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any, TypeVar

from hub.core.model.domain import Identity
from hub.core.model.events import Event

MAX_NAME = 100
MAX_TEXT = 4000
MAX_ARGS = 50
MAX_IDS = {"event_id": 255, "user_id": 128, "message_id": 128, "reply_to": 128, "poll_id": 128}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NAME_FIELDS = frozenset({"display_name"})
_T = TypeVar("_T")


class InboundRejected(ValueError):
    """The platform sent something the hub cannot keep faithfully (an id too long to store)."""


def clean_text(value: str, limit: int = MAX_TEXT) -> str:
    """`value` with lone surrogates replaced, control characters (but tab and newline) removed,
    Unicode composed (NFC) and cut to `limit` characters."""
    valid = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return unicodedata.normalize("NFC", _CONTROL.sub("", valid))[:limit]


def clean_name(value: str) -> str:
    """A display name on one line: like `clean_text`, whitespace collapsed, `MAX_NAME` long."""
    return " ".join(clean_text(value, limit=4 * MAX_NAME).split())[:MAX_NAME]


def clean_event(event: Event) -> Event:
    """The event with every string cleaned; raises InboundRejected for an unstorable id."""
    return _clean_fields(event)


def _clean_fields(value: _T) -> _T:
    """A copy of the dataclass `value` with each field cleaned (the same object if none changed)."""
    changes: dict[str, Any] = {}
    for item in dataclasses.fields(value):  # type: ignore[arg-type]
        current = getattr(value, item.name)
        cleaned = _clean_value(item.name, current)
        if cleaned is not current:
            changes[item.name] = cleaned
    return dataclasses.replace(value, **changes) if changes else value  # type: ignore[type-var]


def _clean_value(name: str, value: Any) -> Any:
    if isinstance(value, Identity):
        identity = _clean_fields(value)
        if not identity.display_name:  # nothing printable was left of the name
            return dataclasses.replace(identity, display_name=identity.user_id[:MAX_NAME])
        return identity
    if isinstance(value, tuple):
        return tuple(_clean_value(name, item) for item in value[:MAX_ARGS])
    if not isinstance(value, str):
        return value
    if name in MAX_IDS:
        return _clean_id(name, value, MAX_IDS[name])
    cleaned = clean_name(value) if name in _NAME_FIELDS else clean_text(value)
    return value if cleaned == value else cleaned


def _clean_id(name: str, value: str, limit: int) -> str:
    cleaned = clean_text(value, limit=limit + 1)
    if not cleaned or len(cleaned) > limit:
        raise InboundRejected(f"{name} must be 1 to {limit} characters")
    return value if cleaned == value else cleaned
