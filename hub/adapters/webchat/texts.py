"""What the chat page and its answers say to a person, in French and English."""

from __future__ import annotations

from hub.core.model import catalogue

TEXTS: dict[str, dict[str, str]] = catalogue.texts("webchat")

PAGE_KEYS = (
    "name_placeholder",
    "join",
    "text_placeholder",
    "send",
    "rename",
    "rename_save",
    "you_are",
    "hub",
    "hub_private",
    "reply",
    "replying",
)
"""The texts the page's script shows itself; the others come in the server's answers."""


def texts_for(locale: str) -> dict[str, str]:
    """The catalogue of a community's language (English when it has none)."""
    return TEXTS.get(locale, TEXTS["en"])
