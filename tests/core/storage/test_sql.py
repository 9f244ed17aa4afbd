"""The race-deciding insert: exactly one of many concurrent writers wins, on both databases."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from hub.core.storage.db import Database
from hub.core.storage.orm import OccurrenceRow
from hub.core.storage.sql import insert_if_absent


def test_exactly_one_concurrent_insert_wins(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()
    start = threading.Barrier(6)
    results: list[bool] = []

    def claim() -> None:
        start.wait()
        with database.transaction() as session:
            results.append(
                insert_if_absent(
                    session,
                    OccurrenceRow.__table__,  # type: ignore[arg-type]
                    {
                        "community_id": "c",
                        "ritual": "icebreaker",
                        "scheduled_at": datetime(2026, 11, 23, 8, tzinfo=UTC),
                        "state": "claimed",
                        "claimed_by": threading.current_thread().name,
                        "claimed_at": datetime.now(UTC),
                    },
                )
            )

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]


def test_migrations_apply_twice_without_harm(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()
    database.upgrade()
    database.ping()
