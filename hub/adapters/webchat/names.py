"""Display names on the webchat: what a valid one is, and when two are the same name.

Names are unique per community, so the comparison key ignores what a reader cannot tell apart
on the page: case, accents, compatibility forms, invisible format characters and runs of spaces.
"""

from __future__ import annotations

import unicodedata

MAX_NAME = 60
HUB_NAMES = ("hub",)
"""Names the hub itself writes under, besides the labels the page shows for its messages."""


def clean_name(raw: object) -> str | None:
    """The name as it will be shown (NFC, single spaces), or None if it is not a usable one."""
    if not isinstance(raw, str):
        return None
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name or len(name) > MAX_NAME or not name_key(name):
        return None
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in name):
        return None
    return name


def name_key(name: str) -> str:
    """The key two names share when a member could mistake one for the other (`Zoé`, `ZOE`)."""
    decomposed = unicodedata.normalize("NFKD", name)
    kept = "".join(
        char
        for char in decomposed
        if not unicodedata.combining(char) and unicodedata.category(char) != "Cf"
    )
    return " ".join(kept.casefold().split())


def reserved_keys(*names: str) -> frozenset[str]:
    """The keys no member may take: the hub's own names and the given ones (its labels…)."""
    return frozenset(name_key(name) for name in (*HUB_NAMES, *names) if name_key(name))
