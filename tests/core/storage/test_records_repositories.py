"""The records ports' contract, kept alike by the SQL repositories (SQLite and PostgreSQL) and
the in-memory fakes the use-case tests rely on; and the people repository's SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

from sqlalchemy import select

from hub.core.model.domain import Identity
from hub.core.model.ritual import Record
from hub.core.ports import UnitOfWork
from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, IdentityRow, MemberRow
from hub.core.storage.unit_of_work import SqlUnitOfWork
from tests.fakes.unit_of_work import FakeUnitOfWork

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
Opens = Iterator[AbstractContextManager[UnitOfWork]]


def sql_units(database_url: str) -> Iterator[AbstractContextManager[UnitOfWork]]:
    """Units of work on a fresh database holding members 1, 2 and 3 of community `c`."""
    database = Database(database_url)
    database.upgrade()
    with database.transaction() as session:
        for member_id, name in ((1, "Zoé"), (2, "zoe"), (3, "Ana")):
            session.add(
                MemberRow(id=member_id, community_id="c", display_name=name, created_at=NOW)
            )

    @contextmanager
    def unit() -> Iterator[UnitOfWork]:
        with database.transaction() as session:
            yield SqlUnitOfWork(session, "c")

    while True:
        yield unit()


def fake_units() -> Iterator[AbstractContextManager[UnitOfWork]]:
    uow = FakeUnitOfWork("c")

    @contextmanager
    def unit() -> Iterator[UnitOfWork]:
        yield uow

    while True:
        yield unit()


def check_states(units: Opens) -> None:
    with next(units) as uow:
        assert uow.states.load_for_update("poll") == {}
        uow.states.save("poll", {"polls": {"12": {"votes": {"1": 0}}}}, NOW)
        uow.states.save("link", {"codes": {}}, NOW)
    with next(units) as uow:
        assert uow.states.load_for_update("poll") == {"polls": {"12": {"votes": {"1": 0}}}}
        assert list(uow.states.every()) == ["link", "poll"]
        uow.states.save("poll", {"polls": {}}, NOW)
    with next(units) as uow:
        assert uow.states.every()["poll"] == {"polls": {}}


def check_records(units: Opens) -> None:
    with next(units) as uow:
        uow.records.add(
            "shoutout", [Record(kind="nomination", member_id=3, data={"member": 2})], NOW
        )
        uow.records.add("points", [Record(kind="points", member_id=2, data={"points": 3})], NOW)
        uow.records.add(
            "points", [Record(kind="leaderboard", data={"top": [{"member_id": 2}]})], NOW
        )
    with next(units) as uow:
        assert [r.kind for r in uow.records.of(2)] == ["points"]
        assert [r.kind for r in uow.records.others(2)] == ["nomination", "leaderboard"]
        uow.records.reassign(2, 1)
        uow.records.rewrite(lambda r: None if r.kind == "nomination" else {**r.data, "seen": 1})
    with next(units) as uow:
        assert [(r.kind, r.member_id, dict(r.data)) for r in uow.records.others(3)] == [
            ("points", 1, {"points": 3, "seen": 1}),
            ("leaderboard", None, {"top": [{"member_id": 2}], "seen": 1}),
        ]


def test_sql_ritual_states_keep_the_contract(database_url: str) -> None:
    check_states(sql_units(database_url))


def test_fake_ritual_states_keep_the_contract() -> None:
    check_states(fake_units())


def test_sql_member_records_keep_the_contract(database_url: str) -> None:
    check_records(sql_units(database_url))


def test_fake_member_records_keep_the_contract() -> None:
    check_records(fake_units())


def test_people_merge_moves_accounts_and_erase_keeps_only_the_goodbye(database_url: str) -> None:
    units = sql_units(database_url)
    with next(units) as uow:
        session = uow.session  # type: ignore[attr-defined]
        for member_id, user in ((1, "42"), (2, "77")):
            session.add(
                IdentityRow(
                    member_id=member_id,
                    community_id="c",
                    platform="telegram",
                    user_id=user,
                    display_name=f"user {user}",
                    last_seen_at=NOW,
                )
            )
        for key in ("bye|privacy:forgotten|telegram:dm:42|0", "other|x|telegram:dm:42|0"):
            session.add(
                DeliveryRow(
                    idempotency_key=key,
                    community_id="c",
                    ritual="privacy",
                    platform="telegram",
                    address="42",
                    member_id=2,
                    payload={"text": "hi"},
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    with next(units) as uow:
        uow.people.merge(1, 2)
    with next(units) as uow:
        traces = uow.people.traces(1)
        assert traces is not None and traces.user_ids == ("42", "77")
        assert traces.names == ("Zoé", "user 42", "user 77")
        assert uow.people.traces(2) is None
        uow.people.erase(1, "bye")
    with next(units) as uow:
        session = uow.session  # type: ignore[attr-defined]
        assert session.scalars(select(IdentityRow)).all() == []
        (kept,) = session.scalars(select(DeliveryRow)).all()
        assert (kept.member_id, kept.forget_when_sent) == (None, True)
        assert session.get(MemberRow, 1) is None and session.get(MemberRow, 3) is not None


def test_people_traces_name_their_accounts() -> None:
    zoe = Identity(platform="telegram", user_id="42", display_name="Zoé")
    uow = FakeUnitOfWork("c")
    uow.people.members = {1: ("Zoé", (zoe,))}
    traces = uow.people.traces(1)
    assert traces is not None and traces.scrubbed_key(
        "event:telegram:9:42|x|dm|0", "f-1", False
    ) == ("event:telegram:9:f-1|x|dm|0")
