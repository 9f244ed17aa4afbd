"""The inbox's storage: inbound events kept before the platform hears "received".

Not bound to one community (every listener writes to it). Each method is one transaction.
Storage implements it in `hub.core.storage.repositories.inbox`, the tests' fake in
`tests/fakes/repositories/inbox.py`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class InboxUnavailable(Exception):
    """The event could not be stored: the platform must be asked to send it again later."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxEntry:
    """An inbound event to keep, with the ids that make it unique (community, event id)."""

    community_id: str
    event_id: str
    platform: str
    user_id: str
    kind: str
    event: dict[str, Any]
    """The event as JSON (`hub.core.model.events.event_to_json`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetter:
    """An inbound event the pipeline could not process, for the owner to see."""

    id: int
    community_id: str
    platform: str
    kind: str
    event_id: str
    attempts: int
    last_error: str | None
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed attempt at processing an entry: why, when, and how many attempts it may take."""

    error: str
    at: datetime
    max_attempts: int


class InboxStore(Protocol):
    """Kept inbound events: pending, done, or dead letters."""

    def add(self, entry: InboxEntry, now: datetime) -> int | None:
        """Keep the entry, pending; its id, or None if it was kept already. Raises
        InboxUnavailable when the store cannot be written to."""
        ...

    def pending(self, inbox_id: int) -> dict[str, Any] | None:
        """The event JSON of a pending entry (None if done, dead or unknown)."""
        ...

    def fail(self, inbox_id: int, failure: Failure) -> bool:
        """Count a failed attempt; True once it was the last (the entry is now dead) or the
        entry is gone."""
        ...

    def done(self, inbox_id: int, now: datetime) -> None:
        """Processed: keep the ids (for duplicates), not what the member wrote."""
        ...

    def stale(self, before: datetime, now: datetime, limit: int) -> list[int]:
        """Pending entries untouched since `before`, oldest first, marked as handed over now."""
        ...

    def dead_letters(self, community_id: str | None) -> list[DeadLetter]:
        """Every dead letter (of one community), oldest first."""
        ...

    def retry(self, ids: Collection[int], now: datetime) -> list[int]:
        """Dead letters among `ids` get a new set of attempts; the ids that were dead."""
        ...
