"""In-memory fakes of the outbox repositories (see `hub.core.ports`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from hub.core.ports.outbox_store import OccurrenceTicket


class FakeOutbox:
    """Planned deliveries, in a list."""


@dataclass(slots=True)
class FakeOccurrence:
    """An occurrence row: its ticket and its state."""

    ticket: OccurrenceTicket
    state: str = "claimed"


class FakeOccurrences:
    """Occurrences, in a dict by id."""

    def __init__(self) -> None:
        self.rows: dict[int, FakeOccurrence] = {}

    def claim(self, ritual: str, scheduled_at: datetime) -> OccurrenceTicket:
        """Arrange an occurrence the scheduler claimed."""
        ticket = OccurrenceTicket(id=len(self.rows) + 1, ritual=ritual, scheduled_at=scheduled_at)
        self.rows[ticket.id] = FakeOccurrence(ticket)
        return ticket

    def take_claimed(self, occurrence_id: int, now: datetime) -> OccurrenceTicket | None:
        """The claimed occurrence, now done; None if unknown or already run."""
        row = self.rows.get(occurrence_id)
        if row is None or row.state != "claimed":
            return None
        row.state = "done"
        return row.ticket

    def add_manual(self, ritual: str, now: datetime, *, done: bool) -> OccurrenceTicket:
        """A firing by hand."""
        ticket = self.claim(ritual, now)
        ticket = replace(ticket, manual=True)
        self.rows[ticket.id] = FakeOccurrence(ticket, "done" if done else "claimed")
        return ticket


class FakeOccurrenceLedger:
    """Communities and attempts of occurrences, as the SQL ledger keeps them."""

    def __init__(self, max_attempts: int = 5) -> None:
        self.communities: dict[int, str] = {}
        self.attempts: dict[int, int] = {}
        self.failures: dict[int, str] = {}
        self.max_attempts = max_attempts

    def community_of(self, occurrence_id: int) -> str | None:
        """The community it was arranged in."""
        return self.communities.get(occurrence_id)

    def begin_attempt(self, occurrence_id: int, now: datetime) -> bool:
        """One more attempt, unless none is left."""
        spent = self.attempts.get(occurrence_id, 0)
        if spent >= self.max_attempts:
            return False
        self.attempts[occurrence_id] = spent + 1
        return True

    def record_failure(self, occurrence_id: int, error: BaseException, now: datetime) -> bool:
        """Keep the failure; True when no attempt is left."""
        self.failures[occurrence_id] = f"{type(error).__name__}: {error}"
        return self.attempts.get(occurrence_id, 0) >= self.max_attempts
