"""The text catalogue: French and English complete and compiling, and a third locale is only
files, falling back to English key by key, used end to end by a community in that locale."""

from __future__ import annotations

import shutil
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.core.model import catalogue
from hub.core.model.domain import Identity
from hub.core.model.events import CommandInvoked, MemberJoined
from hub.core.model.templates import check_template
from hub.core.storage.orm import DeliveryRow
from hub.rituals.help import Help
from tests.builders import COMMUNITY_YAML, compose, write_config

COMPLETE = ("en", "fr")
PARTS = catalogue.parts()
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ZOE = Identity(platform="webchat", user_id="u-zoe", display_name="Zoé")


def test_the_catalogue_has_french_and_english_and_every_part() -> None:
    assert set(COMPLETE) <= set(catalogue.locales())
    assert {"common", "help", "points", "webchat", "whatsapp"} <= set(PARTS)


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("section", catalogue.SECTIONS)
def test_every_part_has_the_same_keys_in_every_locale(part: str, section: str) -> None:
    keys = {locale: set(catalogue.written(locale, part, section)) for locale in catalogue.locales()}
    assert keys == {locale: keys[catalogue.FALLBACK] for locale in keys}


@pytest.mark.parametrize("locale", COMPLETE)
@pytest.mark.parametrize("part", PARTS)
def test_every_french_and_english_template_compiles(locale: str, part: str) -> None:
    written = catalogue.written(locale, part, "texts")
    assert written, f"{locale}/{part}.yaml has texts"
    for source in written.values():
        check_template(source)


@pytest.fixture
def third_locale(tmp_path: Path) -> Path:
    """The packaged catalogue copied beside a German folder that translates only some keys."""
    root = tmp_path / "locales"
    shutil.copytree(Path(str(catalogue.PACKAGED)), root)
    (root / "de").mkdir()
    files = {
        "help": """
            texts:
              intro: 'Das kannst du mich in **{{ community.name }}** fragen:'
            commands:
              help: zeigt diese Hilfe
            """,
        "welcome": """
            texts:
              public: Willkommen {{ member.mention }} in **{{ community.name }}**!
            """,
    }
    for part, text in files.items():
        (root / "de" / f"{part}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_a_locale_lacking_a_key_falls_back_to_english_for_that_key_only(
    third_locale: Path,
) -> None:
    with catalogue.rooted_at(third_locale):
        assert catalogue.locales() == ("de", "en", "fr")
        german = Help.default_texts["de"]
        assert german["intro"].startswith("Das kannst du")
        assert german["unknown"] == Help.default_texts["en"]["unknown"]
        assert Help.commands["help"]["de"] == "zeigt diese Hilfe"
        assert catalogue.untranslated("de", "help") == {"texts": ["unknown"]}
    assert "de" not in Help.default_texts and catalogue.locales() == COMPLETE


def command(name: str) -> CommandInvoked:
    return CommandInvoked(
        event_id=f"cmd-{name}",
        community_id="inside-freelancing",
        platform="webchat",
        space="main",
        actor=ZOE,
        occurred_at=NOW,
        name=name,
    )


def said(hub: object, ids: list[int]) -> str:
    with hub.database.transaction() as session:  # type: ignore[attr-defined]
        rows = session.scalars(select(DeliveryRow).where(DeliveryRow.id.in_(ids))).all()
        return "\n".join(str(row.payload["text"]) for row in rows)


def test_a_community_in_a_third_locale_gets_its_texts_and_help_lists_its_descriptions(
    third_locale: Path, tmp_path: Path, database_url: str, redis_url: str
) -> None:
    with catalogue.rooted_at(third_locale):
        config = write_config(tmp_path, COMMUNITY_YAML.replace("locale: fr", "locale: de"))
        hub = compose(config, database_url, redis_url)
        joined = MemberJoined(
            event_id="join-1",
            community_id="inside-freelancing",
            platform="webchat",
            space="main",
            actor=ZOE,
            occurred_at=NOW,
        )
        welcome = said(hub, hub.service.handle_event(joined))
        listing = said(hub, hub.service.handle_event(command("help")))
        unknown = said(hub, hub.service.handle_event(command("kudoz")))
    assert "Willkommen" in welcome and "Inside Freelancing" in welcome
    assert "Das kannst du mich in Inside Freelancing fragen:" in listing
    assert "/hub help — zeigt diese Hilfe" in listing
    assert "/hub start — open the private chat with the hub" in listing  # not translated yet
    assert unknown.startswith("I don't know the command")
