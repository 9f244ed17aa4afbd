"""The unit of work: one transaction, bound to one community, with the repositories in it.

Use cases ask `UnitsOfWork.transaction(community_id)` for one and work through its
repositories; whatever they do commits together or not at all. `savepoint()` lets a part of the
work (one ritual's decision) fail alone. Storage implements it over SQLAlchemy
(`hub.core.storage.unit_of_work`); use-case tests use a plain in-memory fake
(`tests/fakes/unit_of_work.py`), in the manner of Cosmic Python's `FakeUnitOfWork`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from hub.core.ports.inbound_store import MemberStore, ProcessedEvents, SentMessages
from hub.core.ports.outbox_store import OccurrenceStore, Outbox
from hub.core.ports.people_store import People
from hub.core.ports.records_store import MemberRecords, RitualStates


class UnitOfWork(Protocol):
    """The repositories of one community, inside one transaction."""

    # Read-only members: an implementation's own repository classes then satisfy the ports
    # (a plain attribute in a Protocol would have to be exactly the port's type).
    @property
    def community_id(self) -> str: ...
    @property
    def events(self) -> ProcessedEvents: ...
    @property
    def members(self) -> MemberStore: ...
    @property
    def sent(self) -> SentMessages: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def occurrences(self) -> OccurrenceStore: ...
    @property
    def states(self) -> RitualStates: ...
    @property
    def records(self) -> MemberRecords: ...
    @property
    def people(self) -> People: ...

    def savepoint(self) -> AbstractContextManager[object]:
        """A nested transaction: leaving it by an exception undoes only what it did."""
        ...


class UnitsOfWork(Protocol):
    """Opens units of work (the database, or the fake)."""

    def transaction(self, community_id: str) -> AbstractContextManager[UnitOfWork]:
        """A unit of work that commits when the block ends without an exception."""
        ...

    def rehearsal(self, community_id: str) -> AbstractContextManager[UnitOfWork]:
        """A unit of work that is always rolled back (previews, dry runs)."""
        ...
