"""The text catalogue: what the hub says to members and owners, one YAML file per part and locale.

Texts live in `hub/locales/<locale>/<part>.yaml` (a ritual, `common`, or an adapter's own page);
each file holds `texts` and, for a ritual, the one-line descriptions of its `commands` and
`admin_commands` that `help` lists. Adding a locale is adding a folder of files; owners still
override any text in their YAML. French and English are complete (`tests/test_shape.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

ROOT = files("hub") / "locales"
FALLBACK = "en"


@cache
def locales() -> tuple[str, ...]:
    """Every locale the catalogue has a folder for, sorted."""
    return tuple(sorted(entry.name for entry in ROOT.iterdir() if entry.is_dir()))


@cache
def _document(locale: str, part: str) -> Mapping[str, Any]:
    entry = ROOT / locale / f"{part}.yaml"
    if not entry.is_file():
        return {}
    loaded = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{entry}: expected a mapping of texts")
    return loaded


def _section(part: str, section: str) -> dict[str, dict[str, str]]:
    return {locale: dict(_document(locale, part).get(section) or {}) for locale in locales()}


def texts(part: str) -> dict[str, dict[str, str]]:
    """`part`'s texts per locale: {locale: {key: template}}."""
    return _section(part, "texts")


def _by_verb(part: str, section: str) -> dict[str, dict[str, str]]:
    per_locale = _section(part, section)
    verbs = dict.fromkeys(verb for entries in per_locale.values() for verb in entries)
    return {
        verb: {locale: entries[verb] for locale, entries in per_locale.items() if verb in entries}
        for verb in verbs
    }


def commands(part: str) -> dict[str, dict[str, str]]:
    """The verbs `part` answers, each with its description per locale: {verb: {locale: text}}."""
    return _by_verb(part, "commands")


def admin_commands(part: str) -> dict[str, dict[str, str]]:
    """The owners' verbs of `part`, described per locale, as `commands`."""
    return _by_verb(part, "admin_commands")


def in_locale(by_locale: Mapping[str, Mapping[str, str]], locale: str) -> Mapping[str, str]:
    """The texts of `locale`, or of the fallback locale when the catalogue lacks it."""
    return by_locale.get(locale) or by_locale[FALLBACK]
