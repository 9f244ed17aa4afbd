"""Retention: the hub's bookkeeping rows are deleted once they have served, in small batches.

Processed-event ids, finished inbox rows and dead letters, finished deliveries and finished
occurrences each have a period (`retention:` in the community file, defaults in the README).
The scheduler calls `prune` now and then. Communities that share their periods (most keep the
defaults) are pruned together, one query per table, so an idle pass costs a handful of indexed
queries however many communities the hub serves. Each call deletes in batches of at most
`batch` rows, each in its own short transaction, and at most one batch per table and community
of the group: a first run on a large database never holds a long lock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select

from hub.core.config.models import RetentionSection
from hub.core.model.community import CommunityRuntime
from hub.core.model.deliveries import FINAL
from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, InboxRow, OccurrenceRow, ProcessedEventRow
from hub.core.usecases import occurrences

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
        for community_ids, keep in self._groups():
            for table, count in self._prune_group(community_ids, keep, batch).items():
                deleted[table] = deleted.get(table, 0) + count
        return deleted

    def _groups(self) -> list[tuple[list[str], RetentionSection]]:
        """The communities, gathered by their retention periods."""
        groups: dict[tuple[tuple[str, Any], ...], tuple[list[str], RetentionSection]] = {}
        for community_id, runtime in self.communities.items():
            keep = runtime.config.retention
            periods = tuple(sorted(keep.model_dump().items()))
            groups.setdefault(periods, ([], keep))[0].append(community_id)
        return list(groups.values())

    def _prune_group(
        self, community_ids: list[str], keep: RetentionSection, batch: int
    ) -> dict[str, int]:
        now = self.clock()
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
            name: self._delete(table, key, community_ids, old, batch)
            for name, table, key, old in rules
        }

    def _delete(
        self, table: Any, key: Any, community_ids: list[str], old: ColumnElement[bool], batch: int
    ) -> int:
        """Delete the group's rows that match `old`, a batch per transaction; how many went.

        `old` is repeated in the DELETE: a key (an event id) may be shared by two communities of
        the group, and only rows past their period may go.
        """
        mine, deleted = table.community_id.in_(community_ids), 0
        for _ in community_ids:  # at most one batch per community, as when pruned one by one
            with self.database.transaction() as session:
                keys = list(session.scalars(select(key).where(mine, old).limit(batch)))
                if keys:
                    session.execute(delete(table).where(mine, old, key.in_(keys)))
            deleted += len(keys)
            if len(keys) < batch:
                break
        return deleted


def _finished_inbox(state: str, before: datetime) -> ColumnElement[bool]:
    return (InboxRow.state == state) & (InboxRow.updated_at < before)
