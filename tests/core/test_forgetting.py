"""Forget-me's edges in the core, on SQLite and PostgreSQL: the goodbye that scrubs itself once
sent, others' records that name the member (exported, renamed on a link, deleted on forget-me)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.bootstrap import Hub, ritual_catalogue
from hub.core.model.deliveries import ERASE, Destination, SentRef
from hub.core.model.domain import Identity
from hub.core.model.events import CommandInvoked, Event, MemberJoined
from hub.core.ports import PermanentSendError, TransientSendError
from hub.core.storage.deliveries import DeliveryStore
from hub.core.storage.orm import DeliveryRow, IdentityRow, RitualRecordRow, RitualStateRow
from hub.core.storage.unit_of_work import SqlUnitOfWork
from hub.core.usecases.directory import MemberDirectory
from hub.core.usecases.linking import merge_members
from hub.core.usecases.ritual_state import state_models
from hub.core.usecases.sending import DeliveryService, Outcome
from tests.builders import compose, write_config
from tests.core.test_sending import Clock, FakePlatform

YAML = """
community: {id: inside-freelancing, name: Inside Freelancing, timezone: Europe/Paris, locale: fr}
platforms:
  webchat:
    spaces: {main: salon}
    secret: ${WEBCHAT_SECRET}
rituals:
  shoutout: {}
"""
ZOE = Identity(platform="webchat", user_id="u-zoe", display_name="Zoé")
ANA = Identity(platform="webchat", user_id="u-ana", display_name="Ana")


def hub_for(tmp_path: Path, database_url: str, redis_url: str) -> Hub:
    return compose(write_config(tmp_path, YAML), database_url, redis_url)


def said(hub: Hub, who: Identity, words: str, n: int, space: str | None = "main") -> list[int]:
    verb, *args = words.split()
    event: Event = CommandInvoked(
        event_id=f"webchat:message:{n}",
        community_id="inside-freelancing",
        platform="webchat",
        space=space,
        actor=who,
        occurred_at=datetime.now(UTC),
        name=verb,
        args=tuple(args),
    )
    return hub.service.handle_event(event)


def joined(hub: Hub, who: Identity) -> None:
    hub.service.handle_event(
        MemberJoined(
            event_id=f"webchat:join:main:{who.user_id}",
            community_id="inside-freelancing",
            platform="webchat",
            space="main",
            actor=who,
            occurred_at=datetime.now(UTC),
        )
    )


def member_id(hub: Hub, who: Identity) -> int:
    with hub.database.transaction() as session:
        row = session.scalars(select(IdentityRow).where(IdentityRow.user_id == who.user_id)).one()
        return row.member_id


def goodbye(hub: Hub) -> DeliveryRow:
    joined(hub, ZOE)
    said(hub, ZOE, "forget-me", 1, space=None)
    said(hub, ZOE, "forget-me confirm", 2, space=None)
    with hub.database.transaction() as session:
        rows = session.scalars(select(DeliveryRow).where(DeliveryRow.forget_when_sent)).all()
        (farewell,) = [r for r in rows if ERASE not in r.payload]  # beside it: the erasure
        return farewell


async def test_the_goodbye_reaches_the_forgotten_member_then_keeps_no_address_or_text(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = hub_for(tmp_path, database_url, redis_url)
    row = goodbye(hub)
    assert (row.address, row.member_id) == ("u-zoe", None)
    platform = FakePlatform()
    service = DeliveryService(
        DeliveryStore(hub.database), {("inside-freelancing", "webchat"): platform}, clock=Clock()
    )
    assert (await service.deliver(row.id)).outcome is Outcome.SENT
    assert "tout effacé" in platform.sent[0]["text"]
    with hub.database.transaction() as session:
        sent = session.get_one(DeliveryRow, row.id)
        assert (sent.state, sent.address, sent.payload, sent.forget_when_sent) == (
            "sent",
            "forgotten",
            {},
            False,
        )
        assert "u-zoe" not in sent.idempotency_key and sent.idempotency_key.count("|") == 3


async def test_a_goodbye_that_cannot_be_sent_keeps_no_address_either(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = hub_for(tmp_path, database_url, redis_url)
    row = goodbye(hub)
    platform = FakePlatform([PermanentSendError("blocked by the user")])
    service = DeliveryService(
        DeliveryStore(hub.database), {("inside-freelancing", "webchat"): platform}, clock=Clock()
    )
    assert (await service.deliver(row.id)).outcome is Outcome.FAILED
    with hub.database.transaction() as session:
        failed = session.get_one(DeliveryRow, row.id)
        assert (failed.state, failed.address, failed.payload) == ("failed", "forgotten", {})


def exported(hub: Hub, who: Identity, n: int) -> dict[str, Any]:
    (dm, *_) = said(hub, who, "export-me", n, space=None)
    with hub.database.transaction() as session:
        text = session.get_one(DeliveryRow, dm).payload["text"]
    return {k: v for line in text.splitlines()[1:] if line for k, v in _json(line).items()}


def _json(line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def test_export_me_lists_the_shout_outs_others_gave_the_member(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = hub_for(tmp_path, database_url, redis_url)
    joined(hub, ZOE)
    said(hub, ANA, "shoutout @Zoé m'a débloquée sur ma facturation", 1)
    with hub.database.transaction() as session:
        uow = SqlUnitOfWork(session, "inside-freelancing")
        models = state_models(ritual_catalogue())
        about = MemberDirectory(uow, models).export(member_id(hub, ZOE))["about_you"]
    assert [(r["kind"], r["why"]) for r in about] == [
        ("nomination", "m'a débloquée sur ma facturation")
    ]
    assert "about_you" in exported(hub, ZOE, 2)


def test_a_link_renames_and_forget_me_deletes_the_records_of_others_that_name_the_member(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = hub_for(tmp_path, database_url, redis_url)
    joined(hub, ZOE)
    other = Identity(platform="webchat", user_id="u-zoe-2", display_name="Zoé B")
    joined(hub, other)
    said(hub, ANA, "shoutout @Zoé B toujours là pour relire", 1)
    merged, kept = member_id(hub, ZOE), member_id(hub, other)  # the nomination names `merged`
    models = state_models(ritual_catalogue())
    with hub.database.transaction() as session:
        uow = SqlUnitOfWork(session, "inside-freelancing")
        assert merge_members(uow, kept, merged, models, datetime.now(UTC)) == ("shoutout",)
    with hub.database.transaction() as session:
        (nomination,) = session.scalars(
            select(RitualRecordRow).where(RitualRecordRow.kind == "nomination")
        )
        assert nomination.data["member"] == kept
        assert [n["member"] for n in nominations(session)] == [kept]  # in the state too
    said(hub, ZOE, "forget-me", 2, space=None)
    said(hub, ZOE, "forget-me confirm", 3, space=None)
    with hub.database.transaction() as session:
        assert session.scalars(select(RitualRecordRow.kind)).all() == []
        assert nominations(session) == []


def nominations(session: Session) -> list[dict[str, Any]]:
    """The nominations the shout-out ritual's state keeps, every week."""
    row = session.get_one(RitualStateRow, ("inside-freelancing", "shoutout"))
    return [n for week in row.data["weeks"].values() for n in week]


def test_export_me_lists_what_each_rituals_state_keeps_about_the_member(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = hub_for(tmp_path, database_url, redis_url)
    joined(hub, ZOE)
    joined(hub, ANA)
    said(hub, ZOE, "shoutout @Ana toujours là pour relire", 1)
    data = exported(hub, ZOE, 2)
    assert (data["ritual"], data["kept"]) == ("shoutout", f"weeks.{week_key()}.0")
    assert data["value"]["why"] == "toujours là pour relire"


def week_key() -> str:
    year, week, _ = datetime.now(ZoneInfo("Europe/Paris")).isocalendar()
    return f"{year}-W{week:02d}"


class SkippedWhileSending(FakePlatform):
    """A platform that fails transiently while, meanwhile, the delivery was skipped."""

    def __init__(self, hub: Hub) -> None:
        super().__init__([TransientSendError("timeout", retry_after=0)])
        self.hub = hub

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        with self.hub.database.transaction() as session:
            session.execute(update(DeliveryRow).values(state="skipped", payload={}))
        return await super().send(destination, payload)


async def test_a_delivery_skipped_while_in_flight_is_not_queued_again_by_a_transient_failure(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    hub = hub_for(tmp_path, database_url, redis_url)
    (delivery, *_) = said(hub, ANA, "shoutout list", 1)
    platform = SkippedWhileSending(hub)
    service = DeliveryService(
        DeliveryStore(hub.database), {("inside-freelancing", "webchat"): platform}, clock=Clock()
    )
    assert (await service.deliver(delivery)).outcome is Outcome.RETRY
    with hub.database.transaction() as session:
        assert session.get_one(DeliveryRow, delivery).state == "skipped"
    assert (await service.deliver(delivery)).outcome is Outcome.ALREADY_DONE


def test_forget_me_reaches_the_state_of_a_ritual_the_owner_disabled_since(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    """Shout-outs ran and kept a nomination of Zoé; then the owner turned them off. What the
    ritual's state still holds about her goes with the rest when she asks to be forgotten."""
    hub = hub_for(tmp_path, database_url, redis_url)
    joined(hub, ZOE)
    said(hub, ANA, "shoutout @Zoé toujours là pour relire", 1)
    zoe = member_id(hub, ZOE)
    with hub.database.transaction() as session:
        assert [n["member"] for n in nominations(session)] == [zoe]
    disabled = YAML.replace("shoutout: {}", "shoutout: {enabled: false}")
    hub = compose(write_config(tmp_path, disabled), database_url, redis_url, upgrade=False)
    said(hub, ZOE, "forget-me", 2, space=None)
    said(hub, ZOE, "forget-me confirm", 3, space=None)
    with hub.database.transaction() as session:
        assert nominations(session) == []
