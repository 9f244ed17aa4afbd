"""Words that agree with a number, by the CLDR rules Babel knows for each language.

English says "0 points" and "1st"; French "0 point" and "1er"; Polish has four forms. Templates
reach these rules through the `plural` and `ordinal` filters, in the community's locale, so no
text spells a language's rule by hand (`'s' if n > 1`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from babel import Locale
from jinja2 import pass_context
from jinja2.runtime import Context

DEFAULT_LOCALE = "en"
"""The rules of a template rendered without a community (WhatsApp's keyword answers)."""


@lru_cache(maxsize=64)
def _rules(locale: str) -> Locale:
    return Locale.parse(locale)


def plural_of(count: int, forms: Mapping[str, str], locale: str) -> str:
    """The one of `forms` (by CLDR category: one, other, few…) that `locale` uses for `count`;
    `other` where the locale's category is not given."""
    return forms.get(_rules(locale).plural_form(count), forms["other"])


def ordinal_of(rank: int, forms: Mapping[str, str], locale: str) -> str:
    """The suffix of `forms` that `locale` writes after `rank` (1er, 2e; 1st, 2nd, 3rd, 4th)."""
    return forms.get(_rules(locale).ordinal_form(rank), forms["other"])


def _community_locale(context: Context) -> str:
    community: Any = context.get("community")
    locale = community.get("locale") if isinstance(community, Mapping) else None
    return locale or DEFAULT_LOCALE


@pass_context
def plural(context: Context, count: int, one: str, other: str, **forms: str) -> str:
    """`{{ total|plural("point", "points") }}`: the word for `count` in the community's language;
    languages with more forms name them (`few="…"`, `many="…"`, `two="…"`, `zero="…"`)."""
    return plural_of(count, {"one": one, "other": other, **forms}, _community_locale(context))


@pass_context
def ordinal(context: Context, count: int, one: str, other: str, **forms: str) -> str:
    """`{{ rank }}{{ rank|ordinal("er", "e") }}`: the ordinal suffix in the community's language
    (English names `one="st", two="nd", few="rd", other="th"`)."""
    return ordinal_of(count, {"one": one, "other": other, **forms}, _community_locale(context))


FILTERS: dict[str, Callable[..., str]] = {"plural": plural, "ordinal": ordinal}
"""What templates may call: `{{ n|plural(…) }}` and `{{ n|ordinal(…) }}`."""
