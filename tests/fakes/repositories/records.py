"""In-memory fakes of the records repositories (see `hub.core.ports.records_store`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from hub.core.model.ritual import Record
from hub.core.ports.records_store import RecordChange, StoredRecord


class FakeRitualStates:
    """Ritual states, in a dict by ritual, stored as JSON would be."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}

    def load_for_update(self, ritual: str) -> dict[str, Any]:
        return dict(self.data.setdefault(ritual, {}))

    def save(self, ritual: str, data: Mapping[str, Any], now: datetime) -> None:
        self.data[ritual] = dict(data)

    def every(self) -> dict[str, dict[str, Any]]:
        return {name: dict(data) for name, data in sorted(self.data.items())}


class FakeMemberRecords:
    """Member records, in a list, oldest first."""

    def __init__(self) -> None:
        self.kept: list[StoredRecord] = []

    def add(self, ritual: str, records: Sequence[Record], now: datetime) -> None:
        self.kept += [
            StoredRecord(
                ritual=ritual, kind=r.kind, member_id=r.member_id, data=r.data, created_at=now
            )
            for r in records
        ]

    def of(self, member_id: int) -> list[StoredRecord]:
        return [r for r in self.kept if r.member_id == member_id]

    def others(self, member_id: int) -> list[StoredRecord]:
        return [r for r in self.kept if r.member_id != member_id]

    def reassign(self, gone: int, kept: int) -> None:
        self.kept = [_with(r, member_id=kept) if r.member_id == gone else r for r in self.kept]

    def rewrite(self, change: RecordChange) -> None:
        changed = [(r, change(r)) for r in self.kept]
        self.kept = [_with(r, data=data) for r, data in changed if data is not None]


def _with(record: StoredRecord, **changes: Any) -> StoredRecord:
    fields = {
        "ritual": record.ritual,
        "kind": record.kind,
        "member_id": record.member_id,
        "data": record.data,
        "created_at": record.created_at,
    }
    return StoredRecord(**{**fields, **changes})
