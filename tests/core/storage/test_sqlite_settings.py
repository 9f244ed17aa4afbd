"""SQLite connections: WAL, commits that do not wait for an fsync, foreign keys, a busy wait."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from hub.core.storage.db import Database

NORMAL = 1  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL (SQLite's default), 3 EXTRA


def test_every_connection_commits_to_the_wal_without_an_fsync(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        with database.engine.connect() as connection:
            pragma = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
    finally:
        database.dispose()
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": NORMAL,
        "foreign_keys": 1,
        "busy_timeout": 30000,
    }
