"""`SqlOutbox`, the planner's repository, on SQLite and PostgreSQL: the same answers the
in-memory fake gives the planner's tests (tests/core/test_planning.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.model.deliveries import DeliveryState, Destination
from hub.core.ports.outbox_store import Account, PlannedDelivery, SentPart
from hub.core.storage.db import Database
from hub.core.storage.orm import AddressMoveRow, DeliveryRow, IdentityRow, MemberRow, SpaceMemberRow
from hub.core.storage.repositories.outbox import CHUNK, SqlOutbox

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SALON = Destination(community_id="c", platform="webchat", address="salon", space="main")


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    database = Database(database_url)
    database.upgrade()
    with database.transaction() as session:
        yield session


def member(session: Session, *accounts: tuple[str, str], **identity: object) -> int:
    row = MemberRow(community_id="c", display_name="m")
    session.add(row)
    session.flush()
    for platform, user_id in accounts:
        session.add(
            IdentityRow(
                member_id=row.id,
                community_id="c",
                platform=platform,
                user_id=user_id,
                display_name=f"name of {user_id}",
                **identity,
            )
        )
    session.flush()
    return row.id


def planned(key: str, part: int = 0, **details: object) -> PlannedDelivery:
    values: dict[str, object] = {
        "key": f"e1|msg|webchat:space:salon|{key}",
        "ritual": "r",
        "destination": SALON,
        "part": part,
        "payload": {"text": key},
        "state": DeliveryState.QUEUED,
    } | details
    return PlannedDelivery(**values)  # type: ignore[arg-type]


def test_accounts_are_those_that_may_be_written_to(session: Session) -> None:
    old = member(session, ("webchat", "old"), last_seen_at=NOW - timedelta(days=1))
    session.add(
        IdentityRow(
            member_id=old,
            community_id="c",
            platform="slack",
            user_id="new",
            display_name="n",
            last_seen_at=NOW,
            private_chat_open=True,
        )
    )
    session.add(
        IdentityRow(
            member_id=old,
            community_id="c",
            platform="x",
            user_id="stop",
            display_name="s",
            last_seen_at=NOW,
            opted_out_at=NOW,
        )
    )
    gone = member(session, ("whatsapp", "+2"), reachable=False)
    listed = member(session, ("whatsapp", "+3"))
    for member_id, user_id in ((gone, "+2"), (listed, "+3")):
        session.add(
            SpaceMemberRow(
                community_id="c",
                platform="whatsapp",
                space="main",
                user_id=user_id,
                member_id=member_id,
            )
        )
    outbox = SqlOutbox(session, "c")
    assert [(a.user_id, a.private_chat_open) for a in outbox.member_accounts(old)] == [
        ("new", True),
        ("old", False),
    ]
    assert outbox.list_accounts("c", "whatsapp", "main") == [
        Account(community_id="c", platform="whatsapp", user_id="+3", member_id=listed)
    ]


def test_last_seen_reads_a_fan_out_in_chunks(session: Session) -> None:
    for n in range(CHUNK + 2):
        member(session, ("whatsapp", f"+{n}"), last_seen_at=NOW - timedelta(minutes=n))
    seen = SqlOutbox(session, "c").last_seen("whatsapp", [f"+{n}" for n in range(CHUNK + 2)])
    assert len(seen) == CHUNK + 2
    assert seen[f"+{CHUNK + 1}"].name == f"name of +{CHUNK + 1}"
    assert seen["+0"].at is not None and seen["+0"].at.replace(tzinfo=UTC) == NOW
    assert SqlOutbox(session, "other").last_seen("whatsapp", ["+0"]) == {}


def test_mentions_and_moves(session: Session) -> None:
    ana = member(session, ("webchat", "u1"), ("slack", "U1"))
    session.add(
        AddressMoveRow(community_id="c", platform="telegram", old_address="-1", new_address="-100")
    )
    outbox = SqlOutbox(session, "c")
    assert sorted(outbox.mention_ids([ana, 999])[ana]) == [("slack", "U1"), ("webchat", "u1")]
    assert outbox.mention_ids([999]) == {999: []}
    assert outbox.moves() == {("telegram", "-1"): "-100"}


def test_a_delivery_is_written_once_and_its_id_given_while_still_to_send(session: Session) -> None:
    outbox = SqlOutbox(session, "c")
    first = outbox.write(planned("0", forget_when_sent=True), NOW)
    assert first is not None and outbox.write(planned("0"), NOW) == first
    assert outbox.write(planned("1", state=DeliveryState.HELD), NOW) is None
    row = session.get_one(DeliveryRow, first)
    assert (row.community_id, row.forget_when_sent, row.payload) == ("c", True, {"text": "0"})
    row.state, row.platform_message_id = DeliveryState.SENT.value, "m1"
    session.flush()
    assert outbox.write(planned("0"), NOW) is None
    assert outbox.sent_first_parts("r", "e1", "msg") == [
        SentPart(destination=SALON, platform_message_id="m1")
    ]
    assert outbox.sent_first_parts("other", "e1", "msg") == []


def test_held_deliveries_are_released_or_given_up_with_their_later_parts(session: Session) -> None:
    outbox = SqlOutbox(session, "c")
    kept = outbox.write(planned("kept", state=DeliveryState.HELD), NOW)
    stale_key = "e2|msg|webchat:space:salon|"
    stale = PlannedDelivery(
        key=stale_key + "0",
        ritual="r",
        destination=SALON,
        part=0,
        payload={},
        state=DeliveryState.HELD,
        next_part=True,
    )
    outbox.write(stale, NOW)
    outbox.write(
        PlannedDelivery(
            key=stale_key + "1",
            ritual="r",
            destination=SALON,
            part=1,
            payload={},
            state=DeliveryState.WAITING,
        ),
        NOW,
    )
    held = outbox.held(("webchat", "salon"))
    assert len(held) == 2 and kept is None
    ids = {row.idempotency_key: row.id for row in session.scalars(select(DeliveryRow))}
    outbox.give_up(ids[stale_key + "0"], "too old", NOW)
    outbox.queue_again([ids[planned("kept").key]], NOW)
    state = {
        row.idempotency_key: (row.state, row.last_error)
        for row in session.scalars(select(DeliveryRow))
    }
    assert state[planned("kept").key] == ("queued", None)
    assert state[stale_key + "0"] == ("skipped", "too old")
    assert state[stale_key + "1"][0] == "skipped"
    assert outbox.skip_pending(("webchat", "salon"), "opted out", NOW) == 1
    assert outbox.skip_pending(("webchat", "elsewhere"), "opted out", NOW) == 0
