"""`SqlInbox` on SQLite and PostgreSQL: the answers the inbox's rules rely on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.core.ports.inbox_store import Failure, InboxEntry, InboxUnavailable
from hub.core.storage.db import Database
from hub.core.storage.repositories.inbox import SqlInbox

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ENTRY = InboxEntry(
    community_id="c",
    event_id="e1",
    platform="webchat",
    user_id="u",
    kind="message_received",
    event={"text": "Bonjour"},
)


def test_an_entry_is_kept_once_failed_buried_and_retried(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()
    inbox = SqlInbox(database)
    kept = inbox.add(ENTRY, NOW)
    assert kept is not None and inbox.add(ENTRY, NOW) is None
    assert inbox.pending(kept) == {"text": "Bonjour"}
    assert inbox.stale(NOW, NOW, 10) == []
    assert inbox.stale(NOW + timedelta(seconds=1), NOW + timedelta(seconds=2), 10) == [kept]
    assert not inbox.fail(kept, Failure("E: one", NOW, 2))
    assert inbox.fail(kept, Failure("E: two", NOW, 2))
    assert inbox.pending(kept) is None
    (letter,) = inbox.dead_letters("c")
    assert (letter.id, letter.attempts, letter.last_error) == (kept, 2, "E: two")
    assert inbox.dead_letters("other") == []
    assert inbox.retry([kept], NOW) == [kept] and inbox.dead_letters(None) == []
    inbox.done(kept, NOW)
    assert inbox.pending(kept) is None and inbox.fail(kept + 1, Failure("x", NOW, 5))


def test_a_database_that_is_down_is_named_not_shown() -> None:
    inbox = SqlInbox(Database("sqlite:////nonexistent-dir/secret-name/hub.db"))
    with pytest.raises(InboxUnavailable) as refused:
        inbox.add(ENTRY, NOW)
    assert "secret-name" not in str(refused.value)
    assert str(refused.value) == "OperationalError"
