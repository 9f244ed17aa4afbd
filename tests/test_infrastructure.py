"""The shared fixtures give real services: Redis, SQLite/PostgreSQL and Chromium."""

from __future__ import annotations

import asyncio
from typing import Any

import redis
import sqlalchemy as sa

BUTTON_PAGE = """data:text/html,<!doctype html>
<p id="status">waiting</p>
<button id="go" onclick="document.getElementById('status').textContent = 'clicked'">Go</button>
"""


def test_redis_answers_ping_and_keeps_a_value(redis_client: redis.Redis) -> None:
    assert redis_client.ping() is True
    redis_client.set("greeting", "bonjour")
    assert redis_client.get("greeting") == b"bonjour"


def test_redis_database_is_empty_at_the_start_of_each_test(redis_client: redis.Redis) -> None:
    assert redis_client.dbsize() == 0


def test_database_runs_a_query_and_keeps_rows(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            assert conn.execute(sa.text("select 1")).scalar_one() == 1
            conn.execute(sa.text("create table member (id integer primary key, name text)"))
            conn.execute(sa.text("insert into member (id, name) values (1, 'Ada')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("select name from member")).scalars().all() == ["Ada"]
    finally:
        engine.dispose()


def test_each_test_gets_a_database_without_tables(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_postgresql_url_uses_the_psycopg_driver(postgres_url: str) -> None:
    assert sa.make_url(postgres_url).drivername == "postgresql+psycopg"


def test_chromium_clicks_a_button_and_the_page_text_changes(browser_page: Any) -> None:
    browser_page.goto(BUTTON_PAGE)
    assert browser_page.text_content("#status") == "waiting"
    browser_page.click("#go")
    assert browser_page.text_content("#status") == "clicked"


async def test_async_tests_still_run_after_a_browser_test() -> None:
    await asyncio.sleep(0)
    assert asyncio.get_running_loop().is_running()
