"""Where ritual data names a member, by convention: the keys of `MEMBER_KEYS`.

A record is kept under the member it belongs to (`member_id`); when its `data` names another
member (who nominated whom, who gave a kudos, who was on a leaderboard), it does so under one
of these keys, so that linking two accounts can rename the reference, forget-me can remove it
and export-me can find it, for every ritual at once and without the core knowing any ritual.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MEMBER_KEYS = frozenset({"member", "member_id", "by", "from", "removed_by", "author"})
"""Keys whose value, in ritual data, is a member id (an int, or None)."""


def names(data: Mapping[str, Any], member_id: int) -> bool:
    """Whether the data itself (not a nested part) names the member under a member key."""
    return any(data.get(key) == member_id for key in MEMBER_KEYS)


def renamed(value: Any, old: int, new: int) -> Any:
    """The value with every reference to member `old` now naming `new` (a merge)."""
    if isinstance(value, Mapping):
        return {
            key: new if key in MEMBER_KEYS and item == old else renamed(item, old, new)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [renamed(item, old, new) for item in value]
    return value


def without(value: Any, member_id: int) -> Any:
    """The value with every list item that names the member left out, at any depth (a
    leaderboard's entry, for instance). A mapping that names the member itself is the
    caller's to drop (see `names`)."""
    if isinstance(value, Mapping):
        return {key: without(item, member_id) for key, item in value.items()}
    if isinstance(value, list):
        return [
            without(item, member_id)
            for item in value
            if not (isinstance(item, Mapping) and names(item, member_id))
        ]
    return value
