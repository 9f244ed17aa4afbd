"""A unit of work in memory, for use-case tests (as Cosmic Python's `FakeUnitOfWork`).

It commits by keeping what was done and rolls back by restoring a copy taken when the unit of
work (or a savepoint) began, so a test can check both what a use case kept and that a failure
kept nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

from tests.fakes.repositories.inbound import FakeMembers, FakeProcessedEvents, FakeSentMessages
from tests.fakes.repositories.outbox import FakeOccurrences, FakeOutbox
from tests.fakes.repositories.people import FakePeople
from tests.fakes.repositories.records import FakeMemberRecords, FakeRitualStates

REPOSITORIES = ("events", "members", "sent", "outbox", "occurrences", "states", "records", "people")


class FakeUnitOfWork:
    """Every repository of one community, in memory."""

    def __init__(self, community_id: str) -> None:
        self.community_id = community_id
        self.events = FakeProcessedEvents()
        self.members = FakeMembers()
        self.sent = FakeSentMessages()
        self.outbox = FakeOutbox()
        self.occurrences = FakeOccurrences()
        self.states = FakeRitualStates()
        self.records = FakeMemberRecords()
        self.people = FakePeople()
        self.commits = 0

    def _snapshot(self) -> dict[str, object]:
        return {name: copy.deepcopy(getattr(self, name)) for name in REPOSITORIES}

    def _restore(self, snapshot: dict[str, object]) -> None:
        for name, repository in snapshot.items():
            setattr(self, name, repository)

    @contextmanager
    def savepoint(self) -> Iterator[object]:
        """Undo what the block did if it raises."""
        snapshot = self._snapshot()
        try:
            yield self
        except BaseException:
            self._restore(snapshot)
            raise


class FakeUnitsOfWork:
    """One fake unit of work per community, kept between transactions like a database."""

    def __init__(self) -> None:
        self.communities: dict[str, FakeUnitOfWork] = {}

    def of(self, community_id: str) -> FakeUnitOfWork:
        """The community's data, to arrange or inspect in a test."""
        return self.communities.setdefault(community_id, FakeUnitOfWork(community_id))

    @contextmanager
    def transaction(self, community_id: str) -> Iterator[FakeUnitOfWork]:
        """Keeps what the block did, unless it raises."""
        uow = self.of(community_id)
        with uow.savepoint():
            yield uow
        uow.commits += 1

    @contextmanager
    def rehearsal(self, community_id: str) -> Iterator[FakeUnitOfWork]:
        """Never keeps anything."""
        uow = self.of(community_id)
        snapshot = uow._snapshot()
        try:
            yield uow
        finally:
            uow._restore(snapshot)
