"""Repositories of what rituals keep: their typed state, and the records they keep about members.

The core owns every record keyed by a member, to merge, forget and export them for every ritual
(`hub.core.usecases.member_records`); storage implements these ports in
`hub.core.storage.repositories.records`, the tests' fakes in `tests/fakes/repositories/records.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from hub.core.model.ritual import Record


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredRecord:
    """A record as kept: whose ritual, about whom, when."""

    ritual: str
    kind: str
    member_id: int | None
    data: Mapping[str, Any]
    created_at: datetime


RecordChange = Callable[[StoredRecord], Mapping[str, Any] | None]
"""A record's new data; None deletes the record."""


class RitualStates(Protocol):
    """Each ritual's state in one community, as stored (JSON), locked for the unit of work."""

    def load_for_update(self, ritual: str) -> dict[str, Any]:
        """The ritual's state (empty the first time), locked until the unit of work ends."""
        ...

    def save(self, ritual: str, data: Mapping[str, Any], now: datetime) -> None:
        """Replace the ritual's state."""
        ...

    def every(self) -> dict[str, dict[str, Any]]:
        """Every ritual's state in the community, by ritual, locked (a link, a forget-me)."""
        ...


class MemberRecords(Protocol):
    """The append-only records rituals keep, keyed by member id (the points ledger…)."""

    def add(self, ritual: str, records: Sequence[Record], now: datetime) -> None:
        """Append a ritual's records."""
        ...

    def of(self, member_id: int) -> list[StoredRecord]:
        """The member's own records, oldest first."""
        ...

    def others(self, member_id: int) -> list[StoredRecord]:
        """Every record not the member's own, oldest first (some may name them)."""
        ...

    def reassign(self, gone: int, kept: int) -> None:
        """`gone`'s records are now `kept`'s (a link)."""
        ...

    def rewrite(self, change: RecordChange) -> None:
        """Apply `change` to every record of the community, by batches."""
        ...
