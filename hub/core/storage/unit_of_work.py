"""The unit of work over SQLAlchemy: one session, one community, its repositories.

The composition root builds `SqlUnitsOfWork(database)` and hands it to the use cases, which
see only the ports (`hub.core.ports.unit_of_work`). Each repository lives in
`hub.core.storage.repositories` and is bound to the session and the community here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy.orm import Session

from hub.core.storage.db import Database
from hub.core.storage.repositories.inbound import SqlMembers, SqlProcessedEvents, SqlSentMessages
from hub.core.storage.repositories.outbox import SqlOccurrences, SqlOutbox
from hub.core.storage.repositories.people import SqlPeople
from hub.core.storage.repositories.records import SqlMemberRecords, SqlRitualStates


class SqlUnitOfWork:
    """Every repository of one community, sharing one session (one transaction)."""

    def __init__(self, session: Session, community_id: str) -> None:
        self.session = session
        self.community_id = community_id
        self.events = SqlProcessedEvents(session, community_id)
        self.members = SqlMembers(session, community_id)
        self.sent = SqlSentMessages(session, community_id)
        self.outbox = SqlOutbox(session, community_id)
        self.occurrences = SqlOccurrences(session, community_id)
        self.states = SqlRitualStates(session, community_id)
        self.records = SqlMemberRecords(session, community_id)
        self.people = SqlPeople(session, community_id)

    def savepoint(self) -> AbstractContextManager[object]:
        """A SAVEPOINT: an exception inside undoes only what was done inside."""
        return self.session.begin_nested()


class SqlUnitsOfWork:
    """Opens units of work on the database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @contextmanager
    def transaction(self, community_id: str) -> Iterator[SqlUnitOfWork]:
        """Commits when the block ends normally, rolls back on an exception."""
        with self.database.transaction() as session:
            yield SqlUnitOfWork(session, community_id)

    @contextmanager
    def rehearsal(self, community_id: str) -> Iterator[SqlUnitOfWork]:
        """Always rolled back."""
        with self.database.rehearsal() as session:
            yield SqlUnitOfWork(session, community_id)
