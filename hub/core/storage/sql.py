"""Portable SQL helpers the services share (one way to do each thing)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_if_absent(session: Session, table: Table, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True if this call inserted the row.

    The database's unique constraints, not a read-then-write, decide who wins a race: this is
    how events are processed once, occurrences claimed once and deliveries planned once.
    """
    insert = (
        postgresql_insert
        if session.bind is not None and _dialect(session) == "postgresql"
        else sqlite_insert
    )
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*table.primary_key.columns)
    )
    # RETURNING, not rowcount: psycopg reports rowcount -1 here, whoever won.
    return session.execute(statement).first() is not None


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
