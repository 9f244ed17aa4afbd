"""The database handle: engine, sessions and migrations, built once by the composition root."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_URL = "sqlite:///var/hub.db"


class Database:
    """An engine and its session factory; nothing connects until first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: everything inside commits together or not at all."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def rehearsal(self) -> Iterator[Session]:
        """A unit of work that is always rolled back: for dry runs and previews."""
        session = self.sessions()
        try:
            with session.begin():
                yield session
                session.rollback()
        finally:
            session.close()

    def upgrade(self) -> None:
        """Bring the schema to the latest migration (idempotent)."""
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        with self.engine.begin() as connection:
            config = AlembicConfig()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def ping(self) -> None:
        """Raise unless the database answers."""
        with self.engine.connect() as connection:
            connection.execute(text("select 1"))

    def dispose(self) -> None:
        """Close pooled connections (before a fork, or at exit)."""
        self.engine.dispose()


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """WAL with synchronous=NORMAL: a commit no longer waits for an fsync (the WAL is synced
    at checkpoints); on the development machine that wait was ~7 ms of each commit, and a
    delivery commits twice (claim, mark-sent). The database cannot be corrupted this way; a power cut (not a process crash) can
    undo the last commits, so a delivery marked sent just before one may be sent again."""
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: object) -> None:
    """Take SQLite's write lock at BEGIN, so concurrent writers wait instead of failing."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")  # type: ignore[attr-defined]
