"""Plurals in templates follow the community's language through Babel, not a hand-written rule."""

from __future__ import annotations

import pytest

from hub.core.model import catalogue
from hub.core.model.plurals import plural_of
from hub.core.model.richtext import plain_text
from hub.core.model.templates import community_variables, render_template

POINTS = '{{ n }} {{ n|plural("point", "points") }}'


def said(source: str, locale: str, **variables: object) -> str:
    community = community_variables("c", "C", locale)
    return plain_text(render_template(source, {"community": community, **variables}))


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", ["0 points", "1 point", "2 points"]), ("fr", ["0 point", "1 point", "2 points"])],
)
def test_zero_is_plural_in_english_and_singular_in_french(locale: str, expected: list[str]) -> None:
    assert [said(POINTS, locale, n=n) for n in (0, 1, 2)] == expected


def test_a_language_with_more_forms_names_them_and_falls_back_to_other() -> None:
    source = '{{ n }} {{ n|plural("punkt", "punktu", few="punkty", many="punktów") }}'
    assert [said(source, "pl", n=n) for n in (1, 3, 5, 22)] == [
        "1 punkt",
        "3 punkty",
        "5 punktów",
        "22 punkty",
    ]
    assert plural_of(5, {"one": "punkt", "other": "punktu"}, "pl") == "punktu"


def test_the_catalogue_s_plurals_follow_the_community_s_locale() -> None:
    tally = {locale: catalogue.texts("poll")[locale]["tally"] for locale in ("en", "fr")}
    options = [{"label": "Oui", "count": 0}, {"label": "Non", "count": 1}]
    english = said(tally["en"], "en", question="Q", options=options, total=0)
    french = said(tally["fr"], "fr", question="Q", options=options, total=0)
    assert "Oui — 0 votes" in english and "Non — 1 vote" in english and "0 participants" in english
    assert "Oui — 0 vote" in french and "Non — 1 vote" in french and "0 participant" in french
    assert "0 votes" not in french


def test_a_template_rendered_without_a_community_uses_english_rules() -> None:
    assert plain_text(render_template(POINTS, {"n": 0})) == "0 points"


def test_ordinals_follow_the_community_s_locale_too() -> None:
    french = "{{ r }}{{ r|ordinal('er', 'e') }}"
    english = "{{ r }}{{ r|ordinal('st', 'th', two='nd', few='rd') }}"
    assert [said(french, "fr", r=r) for r in (1, 2, 3)] == ["1er", "2e", "3e"]
    assert [said(english, "en", r=r) for r in (1, 2, 3, 4, 11, 22)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "22nd",
    ]
