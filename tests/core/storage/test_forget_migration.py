"""Migration 0007 on both databases: the points ledger stops holding the words of kudos."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import select

from hub.core.storage.db import MIGRATIONS, Database
from hub.core.storage.orm import RitualRecordRow


def upgrade(database: Database, to: str) -> None:
    with database.engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, to)


def test_kudos_words_already_in_the_points_ledger_are_replaced_by_the_rule(
    database_url: str,
) -> None:
    database = Database(database_url)
    upgrade(database, "0005")
    with database.engine.begin() as connection:
        for rule, reason in (("kudos_received", "merci Zoé pour tout"), ("message", "message")):
            connection.execute(
                RitualRecordRow.__table__.insert().values(
                    community_id="c",
                    ritual="points",
                    kind="points",
                    member_id=None,
                    data={"rule": rule, "points": 5, "reason": reason},
                    created_at=datetime(2026, 11, 23, tzinfo=UTC),
                )
            )
    database.upgrade()
    with database.transaction() as session:
        reasons = session.scalars(select(RitualRecordRow.data).order_by(RitualRecordRow.id)).all()
    assert [r["reason"] for r in reasons] == ["kudos", "message"]
