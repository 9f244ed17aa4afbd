"""The inbox on SQLite and PostgreSQL: kept once, processed, or a dead letter after five
failed attempts that the owner lists and retries (`hub inbox`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from hub.bootstrap import Hub
from hub.cli import app as cli
from hub.core.model.domain import Identity
from hub.core.model.events import Event, MessageReceived
from hub.core.storage.orm import InboxRow
from hub.core.usecases.inbox import MAX_ATTEMPTS
from hub.runtime import actors_for
from tests.builders import compose, wait_for, write_config
from workers.processes import start_worker

ZOE = Identity(platform="webchat", user_id="u-zoe", display_name="Zoé")


def message(event_id: str = "webchat:message:1") -> MessageReceived:
    return MessageReceived(
        event_id=event_id,
        community_id="inside-freelancing",
        platform="webchat",
        space="main",
        actor=ZOE,
        occurred_at=datetime.now(UTC),
        text="Bonjour",
        message_id="1-0",
    )


def broken(_: Event) -> list[int]:
    raise RuntimeError("the pipeline broke on this event")


def row(hub: Hub, inbox_id: int) -> InboxRow:
    with hub.database.transaction() as session:
        found = session.get(InboxRow, inbox_id)
        assert found is not None
        return found


@pytest.fixture
def hub(tmp_path: Path, database_url: str, redis_url: str) -> Hub:
    return compose(write_config(tmp_path), database_url, redis_url)


def test_an_event_is_kept_once_however_often_the_platform_sends_it(hub: Hub) -> None:
    first = hub.inbox.accept(message())
    assert first is not None and hub.inbox.accept(message()) is None


def test_an_event_that_keeps_failing_becomes_a_dead_letter_and_is_never_dropped(
    hub: Hub,
) -> None:
    inbox_id = hub.inbox.accept(message())
    assert inbox_id is not None
    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(RuntimeError):
            hub.inbox.process(inbox_id, broken)
    assert hub.inbox.process(inbox_id, broken) == []  # the last attempt: no more retries
    (letter,) = hub.inbox.dead_letters()
    assert (letter.id, letter.attempts, letter.kind) == (inbox_id, MAX_ATTEMPTS, "message_received")
    assert letter.last_error == "RuntimeError: the pipeline broke on this event"
    assert row(hub, inbox_id).event["text"] == "Bonjour"  # kept whole, for a retry
    assert hub.inbox.retry([inbox_id, 999]) == [inbox_id]
    hub.inbox.process(inbox_id, hub.service.handle_event)
    done = row(hub, inbox_id)
    assert (done.state, done.event) == ("done", {})  # what she wrote is not kept once processed


def test_a_row_that_cannot_be_read_becomes_a_dead_letter_too(hub: Hub) -> None:
    inbox_id = hub.inbox.accept(message())
    assert inbox_id is not None
    with hub.database.transaction() as session:
        session.execute(update(InboxRow).values(event={"kind": "from_a_future_version"}))
    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(ValueError):
            hub.inbox.process(inbox_id, hub.service.handle_event)
    hub.inbox.process(inbox_id, hub.service.handle_event)
    assert row(hub, inbox_id).state == "dead"


def test_the_owner_lists_dead_letters_and_retries_them_from_the_cli(
    hub: Hub, tmp_path: Path, database_url: str, redis_url: str
) -> None:
    inbox_id = hub.inbox.accept(message())
    assert inbox_id is not None
    with hub.database.transaction() as session:
        session.execute(update(InboxRow).values(state="dead", attempts=5, last_error="Boom: x"))
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    config = str(tmp_path / "community.yaml")
    listed = CliRunner().invoke(cli, ["inbox", "list", "--config", config], env=env)
    assert (
        listed.exit_code == 1 and "Boom: x" in listed.stdout and "message_received" in listed.stdout
    )
    worker = start_worker(actors_for(hub).deliver.broker, threads=2)
    try:
        retried = CliRunner().invoke(
            cli, ["inbox", "retry", str(inbox_id), "--config", config], env=env
        )
        assert retried.exit_code == 0, retried.output
        wait_for(lambda: row(hub, inbox_id).state == "done", what="the retried event")
    finally:
        worker.stop()
    again = CliRunner().invoke(cli, ["inbox", "list", "--config", config], env=env)
    assert again.exit_code == 0 and "Dead letters: 0" in again.stdout
    with hub.database.transaction() as session:
        assert session.scalars(select(InboxRow.state)).all() == ["done"]
