"""SQL for retention (`hub.core.ports.retention_store`): which rows are finished, per kind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select

from hub.core.model.deliveries import FINAL
from hub.core.ports.attempts_store import FINISHED
from hub.core.ports.retention_store import Expired, Kept
from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, InboxRow, OccurrenceRow, ProcessedEventRow

FINISHED_DELIVERIES = tuple(sorted(state.value for state in FINAL))


class SqlRetention:
    """Deletes in batches, each in its own transaction."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def delete_batch(self, expired: Expired, batch: int) -> int:
        """Delete at most `batch` expired rows; how many went.

        The rule is repeated in the DELETE: a key (an event id) may be shared by two
        communities of the group, and only rows past their period may go.
        """
        table, key, old = _RULES[expired.kind](expired.before)
        mine = table.community_id.in_(list(expired.community_ids))
        with self.database.transaction() as session:
            keys = list(session.scalars(select(key).where(mine, old).limit(batch)))
            if keys:
                session.execute(delete(table).where(mine, old, key.in_(keys)))
        return len(keys)


Rule = tuple[Any, Any, ColumnElement[bool]]
"""A table, its key, and which of its rows are past `before`."""


def _processed_events(before: datetime) -> Rule:
    return ProcessedEventRow, ProcessedEventRow.event_id, ProcessedEventRow.received_at < before


def _inbox(state: str) -> Any:
    def rule(before: datetime) -> Rule:
        return InboxRow, InboxRow.id, (InboxRow.state == state) & (InboxRow.updated_at < before)

    return rule


def _deliveries(before: datetime) -> Rule:
    finished = DeliveryRow.state.in_(FINISHED_DELIVERIES) & (DeliveryRow.updated_at < before)
    return DeliveryRow, DeliveryRow.id, finished


def _occurrences(before: datetime) -> Rule:
    finished = OccurrenceRow.state.in_(FINISHED) & (OccurrenceRow.scheduled_at < before)
    return OccurrenceRow, OccurrenceRow.id, finished


_RULES: dict[Kept, Any] = {
    "processed_events": _processed_events,
    "inbox": _inbox("done"),
    "dead_letters": _inbox("dead"),
    "deliveries": _deliveries,
    "occurrences": _occurrences,
}
