"""Retention: the hub's bookkeeping rows are deleted once they have served, in small batches.

Processed-event ids, finished inbox rows and dead letters, finished deliveries and finished
occurrences each have a period (`retention:` in the community file, defaults in the README).
The scheduler calls `prune` now and then; each call deletes at most `batch` rows per table and
community, so a first run on a large database never holds a long lock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select

from hub.core import occurrences
from hub.core.community import CommunityRuntime
from hub.core.delivery import FINAL
from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, InboxRow, OccurrenceRow, ProcessedEventRow

FINISHED_DELIVERIES = tuple(sorted(state.value for state in FINAL))
FINISHED_OCCURRENCES = occurrences.FINISHED


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Retention:
    """Deletes what each community's retention periods let go."""

    def __init__(
        self,
        database: Database,
        communities: Mapping[str, CommunityRuntime],
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.database = database
        self.communities = communities
        self.clock = clock

    def prune(self, batch: int = 1000) -> dict[str, int]:
        """One pass over every community; rows deleted, by table."""
        deleted: dict[str, int] = {}
        for community_id, runtime in self.communities.items():
            for table, count in self._prune_community(community_id, runtime, batch).items():
                deleted[table] = deleted.get(table, 0) + count
        return deleted

    def _prune_community(
        self, community_id: str, runtime: CommunityRuntime, batch: int
    ) -> dict[str, int]:
        keep, now = runtime.config.retention, self.clock()
        rules: list[tuple[str, Any, Any, ColumnElement[bool]]] = [
            (
                "processed_events",
                ProcessedEventRow,
                ProcessedEventRow.event_id,
                ProcessedEventRow.received_at < now - keep.processed_events,
            ),
            ("inbox", InboxRow, InboxRow.id, _finished_inbox("done", now - keep.inbox)),
            (
                "dead_letters",
                InboxRow,
                InboxRow.id,
                _finished_inbox("dead", now - keep.dead_letters),
            ),
            (
                "deliveries",
                DeliveryRow,
                DeliveryRow.id,
                DeliveryRow.state.in_(FINISHED_DELIVERIES)
                & (DeliveryRow.updated_at < now - keep.deliveries),
            ),
            (
                "occurrences",
                OccurrenceRow,
                OccurrenceRow.id,
                OccurrenceRow.state.in_(FINISHED_OCCURRENCES)
                & (OccurrenceRow.scheduled_at < now - keep.occurrences),
            ),
        ]
        return {
            name: self._delete(table, key, community_id, old, batch)
            for name, table, key, old in rules
        }

    def _delete(
        self, table: Any, key: Any, community_id: str, old: ColumnElement[bool], batch: int
    ) -> int:
        """Delete up to `batch` rows of one community that match `old`; how many went."""
        mine = table.community_id == community_id
        with self.database.transaction() as session:
            keys = list(session.scalars(select(key).where(mine, old).limit(batch)))
            if keys:
                session.execute(delete(table).where(mine, key.in_(keys)))
        return len(keys)


def _finished_inbox(state: str, before: datetime) -> ColumnElement[bool]:
    return (InboxRow.state == state) & (InboxRow.updated_at < before)
