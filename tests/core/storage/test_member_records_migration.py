"""Migration 0011 on both databases: ritual states already kept take the typed shapes whose
member records the core merges and forgets (welcome per member, spotlight's turns, poll tallies)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from alembic.config import Config

from hub.core.storage.db import MIGRATIONS, Database
from hub.core.storage.orm import IdentityRow, MemberRow, RitualStateRow
from hub.rituals.poll import PollState
from hub.rituals.spotlight import SpotlightState
from hub.rituals.welcome import WelcomeState

NOW = datetime(2026, 11, 23, tzinfo=UTC)
OLD = {
    "welcome": {
        "greeted": {"telegram:main:42": "2026-11-23T08:00:00+00:00", "slack:main:U9": "x"},
        "pending": {"telegram:42": "2026-11-23T08:00:00+00:00"},
    },
    "spotlight": {
        "queue": [2, 3, 1],
        "done": [1],
        "off": [3],
        "left": [],
        "asked": {"member": 2, "pitch": "Coucou", "link": None},
    },
    "poll": {"polls": {"12": {"votes": {"1": 0, "2": 1, "3": 1}}}},
}


def migrate(database: Database, action: Any, to: str) -> None:
    with database.engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        action(config, to)


def states(database: Database) -> dict[str, dict[str, Any]]:
    with database.engine.begin() as connection:
        rows = connection.execute(RitualStateRow.__table__.select()).all()
    return {row.ritual: row.data for row in rows}


def arrange(database: Database) -> None:
    migrate(database, command.upgrade, "0010")
    with database.engine.begin() as connection:
        connection.execute(
            MemberRow.__table__.insert().values(
                id=1, community_id="c", display_name="Zoé", created_at=NOW, profile={}
            )
        )
        connection.execute(
            IdentityRow.__table__.insert().values(
                member_id=1,
                community_id="c",
                platform="telegram",
                user_id="42",
                display_name="Zoé",
                reachable=True,
                private_chat_open=False,
                last_seen_at=NOW,
            )
        )
        for ritual, data in OLD.items():
            connection.execute(
                RitualStateRow.__table__.insert().values(
                    community_id="c", ritual=ritual, version=1, data=data, updated_at=NOW
                )
            )


def test_kept_states_take_the_typed_shapes_of_member_records(database_url: str) -> None:
    database = Database(database_url)
    arrange(database)
    database.upgrade()
    after = states(database)
    welcome = WelcomeState.model_validate(after["welcome"])
    assert list(welcome.greeted) == [1] and list(welcome.greeted[1]) == ["telegram:main:42"]
    assert list(welcome.pending[1]) == ["telegram"]  # the unknown Slack account is dropped
    spotlight = SpotlightState.model_validate(after["spotlight"])
    assert (spotlight.queue, spotlight.done, spotlight.off) == ([2, 3, 1], [1], [3])
    assert spotlight.ask_open and spotlight.asked is not None and spotlight.asked.pitch == "Coucou"
    assert PollState.model_validate(after["poll"]).polls["12"].shown == {0: 1, 1: 2}


def test_the_migration_goes_back_to_the_old_shapes(database_url: str) -> None:
    database = Database(database_url)
    arrange(database)
    database.upgrade()
    migrate(database, command.downgrade, "0010")
    before = states(database)
    assert before["spotlight"] == OLD["spotlight"]
    assert before["poll"] == OLD["poll"]
    assert before["welcome"] == {
        "greeted": {"telegram:main:42": "2026-11-23T08:00:00+00:00"},
        "pending": {"telegram:42": "2026-11-23T08:00:00+00:00"},
    }
