"""The inbound pipeline's repositories and the occurrences' on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from hub.core.model.domain import Identity, Member
from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, OccurrenceRow, SpaceMemberRow
from hub.core.storage.repositories.attempts import SqlOccurrenceAttempts
from hub.core.storage.unit_of_work import SqlUnitOfWork, SqlUnitsOfWork
from hub.core.usecases import occurrences

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ZOE = Identity(platform="webchat", user_id="u-zoe", display_name="Zoé")
ZOE_TG = Identity(platform="telegram", user_id="42", display_name="Zoé T")


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.upgrade()
    yield database
    database.engine.dispose()


def test_an_event_is_processed_once_per_community(database: Database) -> None:
    units = SqlUnitsOfWork(database)
    with units.transaction("c") as uow:
        assert uow.events.first_time("e1", NOW)
    with units.transaction("c") as uow:
        assert not uow.events.first_time("e1", NOW)
    with units.transaction("other") as uow:
        assert uow.events.first_time("e1", NOW)


def test_members_are_resolved_once_and_kept_per_community(database: Database) -> None:
    units = SqlUnitsOfWork(database)
    with units.transaction("c") as uow:
        zoe = uow.members.resolve(ZOE, NOW)
        renamed = uow.members.resolve(
            Identity(platform="webchat", user_id="u-zoe", display_name="Zo"), NOW
        )
        tg = uow.members.resolve(ZOE_TG, NOW + timedelta(seconds=1))
    assert renamed.id == zoe.id and renamed.identities[0].display_name == "Zo"
    with units.transaction("c") as uow:
        assert [m.id for m in uow.members.everyone()] == [zoe.id, tg.id]
        member = uow.members.get(zoe.id)
        assert member is not None and member.reachable
    with units.transaction("other") as uow:
        assert uow.members.get(zoe.id) is None and uow.members.everyone() == []


def test_opt_out_private_chat_and_unreachable_accounts(database: Database) -> None:
    units = SqlUnitsOfWork(database)
    with units.transaction("c") as uow:
        zoe = uow.members.resolve(ZOE, NOW)
        uow.members.set_opted_out(ZOE, NOW)
    with units.transaction("c") as uow:
        assert not _member(uow, zoe.id).reachable
        uow.members.set_opted_out(ZOE, None)
        assert not uow.members.private_chat_open(ZOE)
        uow.members.open_private_chat(ZOE)
    with units.transaction("c") as uow:
        assert _member(uow, zoe.id).reachable and uow.members.private_chat_open(ZOE)
        uow.members.mark_unreachable(zoe.id, "webchat", "blocked")
    with units.transaction("c") as uow:
        assert not _member(uow, zoe.id).reachable


def test_a_members_card_fields_are_set_and_removed(database: Database) -> None:
    units = SqlUnitsOfWork(database)
    with units.transaction("c") as uow:
        zoe = uow.members.resolve(ZOE, NOW)
        uow.members.set_profile(zoe.id, {"bio": "designer", "city": "Lyon"})
    with units.transaction("c") as uow:
        uow.members.set_profile(zoe.id, {"city": None, "link": "https://zoe.example"})
    with units.transaction("c") as uow:
        assert _member(uow, zoe.id).profile == {"bio": "designer", "link": "https://zoe.example"}


def test_space_memberships_are_kept_once(database: Database) -> None:
    units = SqlUnitsOfWork(database)
    with units.transaction("c") as uow:
        uow.members.resolve(ZOE, NOW)
        uow.members.join_space("main", ZOE, NOW)
        uow.members.join_space("main", ZOE, NOW)  # a second join changes nothing
    with units.transaction("c") as uow:
        assert _space_count(uow) == 1
        uow.members.leave_space("main", ZOE)
    with units.transaction("c") as uow:
        assert _space_count(uow) == 0


def test_sent_messages_by_platform_id_offers_and_reports(database: Database) -> None:
    units = SqlUnitsOfWork(database)
    with units.transaction("c") as uow:
        member = uow.members.resolve(ZOE, NOW)
        offer = _delivery(uow, "poll", "pm-1", NOW - timedelta(hours=1), member.id, choices=True)
        _delivery(uow, "icebreaker", "pm-2", NOW, member.id)
    with units.transaction("c") as uow:
        found = uow.sent.by_platform_id("webchat", "pm-1")
        assert found is not None and found.id == offer and found.ritual == "poll"
        assert found.choices == (("vote", "a"), ("vote", "b"))
        latest = uow.sent.last_offer("webchat", "u-zoe", NOW - timedelta(days=1))
        assert latest is not None and latest.id == offer  # the newer one offers no choice
        assert uow.sent.last_offer("webchat", "u-zoe", NOW - timedelta(minutes=1)) is None
        uow.sent.set_status(offer, "read", NOW)
        uow.sent.hold(offer, "outside the window")
    with units.transaction("c") as uow:
        assert uow.sent.by_platform_id("webchat", "pm-1") is None  # held: its id is dropped
        (planned, _) = uow.sent.of_cause("cause")
        assert (planned.state, planned.note) == ("held", "outside the window")
        second = uow.sent.by_platform_id("webchat", "pm-2")
        assert second is not None
        uow.sent.fail(second.id, "blocked")
    with units.transaction("other") as uow:
        assert uow.sent.by_platform_id("webchat", "pm-2") is None
    with units.transaction("c") as uow:
        assert [p.state for p in uow.sent.of_cause("cause")] == ["held", "failed"]


def test_occurrences_are_taken_once_and_fired_by_hand(database: Database) -> None:
    units, attempts = SqlUnitsOfWork(database), SqlOccurrenceAttempts(database)
    with units.transaction("c") as uow:
        claimed = uow.occurrences.add_manual("icebreaker", NOW, done=False)
        fired = uow.occurrences.add_manual("points:weekly", NOW, done=True)
    assert claimed.manual and occurrences.community_of(attempts, claimed.id) == "c"
    assert occurrences.community_of(attempts, claimed.id + 100) is None
    with units.transaction("other") as uow:
        assert uow.occurrences.take_claimed(claimed.id, NOW) is None
    assert occurrences.begin_attempt(attempts, claimed.id, NOW)
    with units.transaction("c") as uow:
        assert uow.occurrences.take_claimed(fired.id, NOW) is None  # done already
        taken = uow.occurrences.take_claimed(claimed.id, NOW)
        assert taken is not None and taken.ritual == "icebreaker"
    with units.transaction("c") as uow:
        assert uow.occurrences.take_claimed(claimed.id, NOW) is None
        row = uow.session.get_one(OccurrenceRow, claimed.id)
        assert (row.state, row.attempts) == ("done", 1)


def _member(uow: SqlUnitOfWork, member_id: int) -> Member:
    member = uow.members.get(member_id)
    assert member is not None
    return member


def _space_count(uow: SqlUnitOfWork) -> int:
    return len(list(uow.session.query(SpaceMemberRow).filter_by(community_id="c")))


def _delivery(
    uow: SqlUnitOfWork, ritual: str, message_id: str, sent_at: datetime, member_id: int, *,
    choices: bool = False,
) -> int:  # fmt: skip
    payload = {"text": "?", "choices": [["vote", "a"], ["vote", "b"]]} if choices else {}
    row = DeliveryRow(
        idempotency_key=f"cause|{ritual}:post|webchat:u-zoe|0",
        community_id="c",
        ritual=ritual,
        platform="webchat",
        address="u-zoe",
        private=True,
        member_id=member_id,
        payload=payload,
        state="sent",
        platform_message_id=message_id,
        sent_at=sent_at,
    )
    uow.session.add(row)
    uow.session.flush()
    return row.id
