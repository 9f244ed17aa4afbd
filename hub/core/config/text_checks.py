"""Owners' texts in a community file: an override may only use the variables its text is given.

A template's syntax is checked where it is declared (`TemplateSource`), the names of a ritual's
texts by the `known_texts` annotation of its config's `texts` field; what neither can know is which variables a
text is given, so a `{{ membr.name }}` would only fail when the hub sends it. The catalogue
knows: whatever the text's defaults use, in any locale, and what every text sees. Overrides are
found by the catalogue's part names: `rituals.<part>` and `platforms.<part>`, in their `texts`
mapping or as a field named for the text (`rituals.help.intro`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hub.core.config.document import ConfigIssue, Document, Key
from hub.core.model import catalogue
from hub.core.model.templates import variables_of

SHARED_PART = "common"
"""The part whose texts (`admin_only`, `private_only`) any ritual's `texts` may override."""


def text_issues(document: Document, data: Any) -> list[ConfigIssue]:
    """Every override that uses a variable its text is never given, at its own file:line."""
    return [
        _issue(document, path, key, unknown, known)
        for path, part, key, source in _overrides(data)
        if (unknown := variables_of(source) - (known := catalogue.known_variables(part, key)))
    ]


def _issue(
    document: Document, path: Key, key: str, unknown: frozenset[str], known: frozenset[str]
) -> ConfigIssue:
    names = ", ".join(sorted(unknown))
    message = f"text '{key}' uses {names}, which it is never given"
    return document.issue(path, message, f"known variables: {', '.join(sorted(known))}")


def _overrides(data: Any) -> Iterator[tuple[Key, str, str, str]]:
    """(path, part, key, template) of every text override in the file."""
    parts = set(catalogue.parts())
    for group in ("rituals", "platforms"):
        for name, section in _mapping(_mapping(data).get(group)).items():
            if name in parts and isinstance(section, Mapping):
                yield from _in_section((group, name), name, section)


def _in_section(
    path: Key, part: str, section: Mapping[str, Any]
) -> Iterator[tuple[Key, str, str, str]]:
    own = catalogue.texts(part)[catalogue.FALLBACK]
    shared = catalogue.texts(SHARED_PART)[catalogue.FALLBACK]
    for key, source in _mapping(section.get("texts")).items():
        text_part = part if key in own else SHARED_PART if key in shared else None
        if text_part is not None and isinstance(source, str):
            yield (*path, "texts", key), text_part, key, source
    for key in own:
        if isinstance(source := section.get(key), str):
            yield (*path, key), part, key, source


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
