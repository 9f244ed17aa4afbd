"""The pipeline's core, on SQLite and PostgreSQL: events and occurrences → state + outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from hub.core.model.domain import Identity
from hub.core.model.events import MemberJoined, MessageReceived
from hub.core.storage.orm import DeliveryRow, MemberRow, RitualRecordRow, RitualStateRow
from tests.builders import compose, write_config

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ZOE = Identity(platform="webchat", user_id="u-zoe", display_name="Zoé")


def joined(event_id: str, who: Identity = ZOE) -> MemberJoined:
    return MemberJoined(
        event_id=event_id,
        community_id="inside-freelancing",
        platform="webchat",
        space="main",
        actor=who,
        occurred_at=NOW,
    )


def test_a_join_writes_member_state_and_deliveries_in_one_transaction(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    ids = hub.service.handle_event(joined("join-1"))
    with hub.database.transaction() as session:
        rows = session.scalars(select(DeliveryRow).where(DeliveryRow.id.in_(ids))).all()
        assert sorted((r.private, r.address, r.state) for r in rows) == [
            (False, "salon", "queued"),
            (True, "u-zoe", "queued"),
        ]
        assert session.scalar(select(func.count()).select_from(MemberRow)) == 1
        state = session.scalars(
            select(RitualStateRow).where(RitualStateRow.ritual == "welcome")
        ).one()
        assert len(state.data["greeted"]) == 1


def test_the_same_event_delivered_twice_is_handled_once(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    first = hub.service.handle_event(joined("join-1"))
    again = hub.service.handle_event(joined("join-1"))
    assert len(first) == 2
    assert again == []
    with hub.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DeliveryRow)) == 2


def test_a_join_reported_twice_with_different_ids_is_greeted_once(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    assert len(hub.service.handle_event(joined("chat_member:1"))) == 2
    assert hub.service.handle_event(joined("new_chat_members:2")) == []


def test_an_occurrence_runs_once_and_reaches_every_space(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    occurrence = hub.scheduler().fire_now("inside-freelancing", "icebreaker")
    ids = hub.service.run_occurrence(occurrence)
    assert hub.service.run_occurrence(occurrence) == []
    with hub.database.transaction() as session:
        rows = session.scalars(select(DeliveryRow).where(DeliveryRow.id.in_(ids))).all()
        assert sorted(r.address for r in rows) == ["news", "salon"]
        assert all("Question de la semaine" in r.payload["text"] for r in rows)


def test_a_reply_to_the_question_is_recorded_as_an_answer(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    ids = hub.service.run_occurrence(hub.scheduler().fire_now("inside-freelancing", "icebreaker"))
    with hub.database.transaction() as session:
        row = session.get_one(DeliveryRow, ids[0])
        row.state, row.platform_message_id = "sent", "1700000000000-0"
    reply = MessageReceived(
        event_id="msg-1",
        community_id="inside-freelancing",
        platform="webchat",
        space="main",
        actor=ZOE,
        occurred_at=NOW,
        text="Notion, sans hésiter",
        message_id="1700000000001-0",
        reply_to="1700000000000-0",
    )
    hub.service.handle_event(reply)
    with hub.database.transaction() as session:
        (answer,) = session.scalars(select(RitualRecordRow)).all()
        assert (answer.ritual, answer.kind, answer.data["text"]) == (
            "icebreaker",
            "answer",
            "Notion, sans hésiter",
        )


def test_a_dry_run_shows_each_space_and_keeps_nothing(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = compose(write_config(tmp_path), database_url, redis_url)
    previews = hub.service.preview_occurrence("inside-freelancing", "icebreaker")
    assert sorted(p.address for p in previews) == ["news", "salon"]
    with hub.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DeliveryRow)) == 0
        assert session.scalar(select(func.count()).select_from(RitualStateRow)) == 0
