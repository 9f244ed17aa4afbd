"""The text catalogue: what the hub says to members and owners, one YAML file per part and locale.

Texts live in `hub/locales/<locale>/<part>.yaml` (a ritual, `common`, or an adapter's own page);
each file holds `texts` and, for a ritual, the one-line descriptions of its `commands` and
`admin_commands` that `help` lists. Adding a locale is adding a folder of files: a key its files
lack falls back to English, key by key, so a locale may be translated a part at a time. Owners
still override any text in their YAML.

The mappings handed out are the catalogue's own and stay live: rituals read them once, at
import, and `rooted_at` (a third locale in a test's folder) refills the same objects in place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from hub.core.model.templates import variables_of

FALLBACK = "en"
SECTIONS = ("texts", "commands", "admin_commands")
PACKAGED: Traversable = files("hub") / "locales"
_Kept = dict[tuple[str, str], dict[str, dict[str, str]]]


class _Catalogue:
    """Where the files are read from, what was read, and every mapping handed out (to refill
    on a new root)."""

    def __init__(self, root: Traversable) -> None:
        self.root = root
        self.documents: dict[tuple[str, str], Mapping[str, Any]] = {}
        self.by_locale: _Kept = {}
        self.by_verb: _Kept = {}

    def move_to(self, root: Traversable) -> None:
        """Read from `root` from now on, forgetting what was read from the old one."""
        self.root = root
        self.documents.clear()

    def document(self, locale: str, part: str) -> Mapping[str, Any]:
        """The file of `part` in `locale`, read once; empty when the locale has no such file."""
        if (locale, part) not in self.documents:
            self.documents[locale, part] = _read(self.root / locale / f"{part}.yaml")
        return self.documents[locale, part]


def _read(entry: Traversable) -> Mapping[str, Any]:
    if not entry.is_file():
        return {}
    loaded = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{entry}: expected a mapping of texts")
    return loaded


_active = _Catalogue(PACKAGED)


def locales() -> tuple[str, ...]:
    """Every locale the catalogue has a folder for, sorted."""
    return tuple(sorted(entry.name for entry in _active.root.iterdir() if entry.is_dir()))


def written(locale: str, part: str, section: str) -> dict[str, str]:
    """What `locale`'s own file says in `section`, without the English fallback: what a
    translation has, to compare locales."""
    return dict(_active.document(locale, part).get(section) or {})


def _load_by_locale(part: str, section: str) -> dict[str, dict[str, str]]:
    fallback = written(FALLBACK, part, section)
    return {locale: {**fallback, **written(locale, part, section)} for locale in locales()}


def _load_by_verb(part: str, section: str) -> dict[str, dict[str, str]]:
    per_locale = _load_by_locale(part, section)
    verbs = dict.fromkeys(verb for entries in per_locale.values() for verb in entries)
    return {verb: {locale: per_locale[locale][verb] for locale in per_locale} for verb in verbs}


def _kept(
    kept: _Kept, key: tuple[str, str], load: Callable[[str, str], dict[str, dict[str, str]]]
) -> dict[str, dict[str, str]]:
    """The mapping once handed out for `key`, so a new root can refill it in place."""
    if key not in kept:
        kept[key] = load(*key)
    return kept[key]


def texts(part: str) -> dict[str, dict[str, str]]:
    """`part`'s texts per locale, English filling the keys a locale lacks: {locale: {key: template}}."""
    return _kept(_active.by_locale, (part, "texts"), _load_by_locale)


def commands(part: str) -> dict[str, dict[str, str]]:
    """The verbs `part` answers, each with its description per locale: {verb: {locale: text}}."""
    return _kept(_active.by_verb, (part, "commands"), _load_by_verb)


def admin_commands(part: str) -> dict[str, dict[str, str]]:
    """The owners' verbs of `part`, described per locale, as `commands`."""
    return _kept(_active.by_verb, (part, "admin_commands"), _load_by_verb)


def untranslated(locale: str, part: str) -> dict[str, list[str]]:
    """The keys of `part` that `locale`'s own file lacks, by section (they show in English)."""
    missing = {
        section: sorted(set(written(FALLBACK, part, section)) - set(written(locale, part, section)))
        for section in SECTIONS
    }
    return {section: keys for section, keys in missing.items() if keys}


def parts() -> tuple[str, ...]:
    """Every part the fallback locale has a file for (a ritual, `common`, an adapter's page)."""
    folder = _active.root / FALLBACK
    return tuple(sorted(e.name.removesuffix(".yaml") for e in folder.iterdir() if e.is_file()))


def _refill() -> None:
    for kept, load in ((_active.by_locale, _load_by_locale), (_active.by_verb, _load_by_verb)):
        for key, mapping in kept.items():
            mapping.clear()
            mapping.update(load(*key))


@contextmanager
def rooted_at(root: Path | Traversable) -> Iterator[None]:
    """Read the catalogue from `root` (a folder of locale folders) for the block's duration.

    Every mapping already handed out is refilled in place, then restored on the way out; a test
    uses it to add a locale without writing into the package."""
    previous = _active.root
    _active.move_to(root)
    _refill()
    try:
        yield
    finally:
        _active.move_to(previous)
        _refill()


EVERY_TEXT_SEES = frozenset({"community", "member"})
"""The variables every text is given, whatever it says (`member` when someone acted)."""


def known_variables(part: str, key: str) -> frozenset[str]:
    """What the text `key` of `part` may use: what its default uses in any locale, and what
    every text sees. An owner's override using anything else would fail when it is sent."""
    defaults = texts(part)
    found = (variables_of(by_key[key]) for by_key in defaults.values() if key in by_key)
    return EVERY_TEXT_SEES.union(given(part), *found)


def given(part: str) -> frozenset[str]:
    """The variables every text of `part` is given, whether its default uses them or not: the
    file's `given` list (WhatsApp's keyword answers all see `keyword`, `lists` and `list`)."""
    listed = (_active.document(locale, part).get("given") or () for locale in locales())
    return frozenset(str(name) for names in listed for name in names)
