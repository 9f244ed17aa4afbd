"""SQL for ritual state and member records (`hub.core.ports.records_store`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from hub.core.model.ritual import Record
from hub.core.ports.records_store import RecordChange, StoredRecord
from hub.core.storage.orm import RitualRecordRow, RitualStateRow
from hub.core.storage.repositories.base import Repository
from hub.core.storage.repositories.people import batches
from hub.core.storage.sql import insert_if_absent


class SqlRitualStates(Repository):
    """Ritual state rows (`RitualStateRow`), one per ritual and community."""

    def load_for_update(self, ritual: str) -> dict[str, Any]:
        """The state, locked until the transaction ends (its row created if absent)."""
        return dict(self._row(ritual).data)

    def save(self, ritual: str, data: Mapping[str, Any], now: datetime) -> None:
        """Replace the state and bump its version."""
        row = self._row(ritual)
        row.data, row.version, row.updated_at = dict(data), row.version + 1, now

    def every(self) -> dict[str, dict[str, Any]]:
        """Every ritual's state here, locked in the order of their names (no deadlock)."""
        rows = self.session.scalars(
            select(RitualStateRow)
            .where(RitualStateRow.community_id == self.community_id)
            .order_by(RitualStateRow.ritual)
            .with_for_update()
        )
        return {row.ritual: dict(row.data) for row in rows}

    def _row(self, ritual: str) -> RitualStateRow:
        insert_if_absent(
            self.session,
            RitualStateRow.__table__,  # type: ignore[arg-type]
            {"community_id": self.community_id, "ritual": ritual, "version": 0, "data": {}},
        )
        return self.session.scalars(
            select(RitualStateRow)
            .where(
                RitualStateRow.community_id == self.community_id, RitualStateRow.ritual == ritual
            )
            .with_for_update()
        ).one()


class SqlMemberRecords(Repository):
    """Records about members (`RitualRecordRow`), append-only but for links and forget-me."""

    def add(self, ritual: str, records: Sequence[Record], now: datetime) -> None:
        """Append a ritual's records."""
        for record in records:
            self.session.add(
                RitualRecordRow(
                    community_id=self.community_id,
                    ritual=ritual,
                    kind=record.kind,
                    member_id=record.member_id,
                    data=dict(record.data),
                    created_at=now,
                )
            )

    def of(self, member_id: int) -> list[StoredRecord]:
        """The member's own records, oldest first."""
        return self._stored(RitualRecordRow.member_id == member_id)

    def others(self, member_id: int) -> list[StoredRecord]:
        """Every other record of the community, oldest first."""
        return self._stored(RitualRecordRow.member_id.is_distinct_from(member_id))

    def reassign(self, gone: int, kept: int) -> None:
        """`gone`'s records are `kept`'s."""
        self.session.execute(
            update(RitualRecordRow).where(RitualRecordRow.member_id == gone).values(member_id=kept)
        )

    def rewrite(self, change: RecordChange) -> None:
        """Every record of the community through `change`: rewritten, or deleted on None."""
        for row in batches(
            self.session, RitualRecordRow, RitualRecordRow.community_id == self.community_id
        ):
            data = change(_stored(row))
            if data is None:
                self.session.delete(row)
            elif data != row.data:
                row.data = dict(data)

    def _stored(self, *where: Any) -> list[StoredRecord]:
        rows = self.session.scalars(
            select(RitualRecordRow)
            .where(RitualRecordRow.community_id == self.community_id, *where)
            .order_by(RitualRecordRow.id)
        )
        return [_stored(r) for r in rows]


def _stored(row: RitualRecordRow) -> StoredRecord:
    return StoredRecord(
        ritual=row.ritual,
        kind=row.kind,
        member_id=row.member_id,
        data=row.data,
        created_at=row.created_at,
    )
