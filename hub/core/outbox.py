"""The outbox: turns a ritual's outbound messages into delivery rows, in the ritual's transaction.

Each delivery gets an idempotency key (cause + message key + destination + part), so planning the
same cause twice plans nothing new, and a delivery already sent is never planned again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.community import CommunityRuntime
from hub.core.delivery import DeliveryState, Destination, idempotency_key
from hub.core.members import reachable_identities
from hub.core.outbound import MemberTarget, Outbound, SpaceTarget
from hub.core.ports import Renderer
from hub.core.richtext import mentioned_members, with_mention_ids
from hub.core.storage.orm import AddressMoveRow, DeliveryRow, IdentityRow
from hub.core.storage.sql import insert_if_absent

log = structlog.get_logger(__name__)


def destinations(
    session: Session,
    runtime: CommunityRuntime,
    outbound: Outbound,
    needs_opt_in: Callable[[str], bool] = lambda platform: False,
) -> list[Destination]:
    """Where an outbound message goes, on every platform its target covers.

    A private message goes to the member's most recently seen account that the hub may write
    to: on platforms where members must open the private chat first, only once they have.
    """
    target = outbound.target
    if isinstance(target, SpaceTarget):
        moved = _moves(session, runtime.community.id)
        return [
            Destination(
                community_id=s.community_id,
                platform=s.platform,
                address=moved.get((s.platform, s.address), s.address),
                space=s.name,
            )
            for s in runtime.spaces_named(target.space, target.platform)
        ]
    return _member_destinations(session, target, needs_opt_in)


def _moves(session: Session, community_id: str) -> dict[tuple[str, str], str]:
    rows = session.scalars(
        select(AddressMoveRow).where(AddressMoveRow.community_id == community_id)
    )
    return {(r.platform, r.old_address): r.new_address for r in rows}


def _member_destinations(
    session: Session, target: MemberTarget, needs_opt_in: Callable[[str], bool]
) -> list[Destination]:
    identities = [
        i
        for i in reachable_identities(session, target.member_id)
        if target.platform in (None, i.platform)
        and (i.private_chat_open or not needs_opt_in(i.platform))
    ]
    return [
        Destination(
            community_id=i.community_id,
            platform=i.platform,
            address=i.user_id,
            private=True,
            member_id=i.member_id,
        )
        for i in identities[:1]
    ]


def plan(
    session: Session,
    runtime: CommunityRuntime,
    renderers: Mapping[tuple[str, str], Renderer],
    *,
    ritual: str,
    cause: str,
    outbound: Outbound,
    now: datetime,
) -> list[int]:
    """Write the deliveries of one outbound message; returns the ids of those still to send."""
    outbound = _with_mentions(session, outbound)
    if outbound.replaces is not None:
        return _plan_edits(
            session, runtime, renderers, ritual=ritual, cause=cause, outbound=outbound, now=now
        )

    def needs_opt_in(platform: str) -> bool:
        renderer = renderers.get((runtime.community.id, platform))
        return renderer is not None and renderer.capabilities.private_needs_opt_in

    ids: list[int] = []
    for destination in destinations(session, runtime, outbound, needs_opt_in):
        renderer = renderers.get((runtime.community.id, destination.platform))
        if renderer is None or (destination.private and not renderer.capabilities.private_messages):
            log.info(
                "delivery.not_possible",
                platform=destination.platform,
                ritual=ritual,
                key=outbound.key,
            )
            continue
        for part, payload in enumerate(renderer.render(outbound, destination)):
            key = idempotency_key(cause, outbound.key, destination, part)
            ids.extend(_write(session, runtime, ritual, destination, part, payload, key, now))
    return ids


def _plan_edits(
    session: Session,
    runtime: CommunityRuntime,
    renderers: Mapping[tuple[str, str], Renderer],
    *,
    ritual: str,
    cause: str,
    outbound: Outbound,
    now: datetime,
) -> list[int]:
    """One edit per message the replaced outbound became (its first part, once it was sent)."""
    assert outbound.replaces is not None
    prefix = f"{outbound.replaces.cause}|{outbound.replaces.key}|"
    originals = session.scalars(
        select(DeliveryRow).where(
            DeliveryRow.community_id == runtime.community.id,
            DeliveryRow.ritual == ritual,
            DeliveryRow.idempotency_key.startswith(prefix, autoescape=True),
            DeliveryRow.part == 0,
            DeliveryRow.state == DeliveryState.SENT.value,
        )
    )
    ids: list[int] = []
    for original in originals:
        destination = original.destination()
        renderer = renderers.get((runtime.community.id, destination.platform))
        if renderer is None or original.platform_message_id is None:
            continue
        payload = {
            **renderer.render(outbound, destination)[0],
            "edit": original.platform_message_id,
        }
        key = idempotency_key(cause, outbound.key, destination, 0) + "|edit"
        ids.extend(_write(session, runtime, ritual, destination, 0, payload, key, now))
    return ids


def _write(
    session: Session,
    runtime: CommunityRuntime,
    ritual: str,
    destination: Destination,
    part: int,
    payload: dict[str, object],
    key: str,
    now: datetime,
) -> list[int]:
    insert_if_absent(
        session,
        DeliveryRow.__table__,  # type: ignore[arg-type]
        {
            "idempotency_key": key,
            "community_id": runtime.community.id,
            "ritual": ritual,
            "platform": destination.platform,
            "address": destination.address,
            "private": destination.private,
            "space": destination.space,
            "member_id": destination.member_id,
            "part": part,
            "payload": payload,
            "state": DeliveryState.QUEUED.value,
            "created_at": now,
            "updated_at": now,
        },
    )
    row = session.execute(
        select(DeliveryRow.id, DeliveryRow.state).where(DeliveryRow.idempotency_key == key)
    ).one()
    return [row.id] if row.state in (DeliveryState.QUEUED, DeliveryState.SENDING) else []


def _with_mentions(session: Session, outbound: Outbound) -> Outbound:
    members = mentioned_members(outbound.body)
    if not members:
        return outbound
    user_ids: dict[int, list[tuple[str, str]]] = {m: [] for m in members}
    for row in session.scalars(select(IdentityRow).where(IdentityRow.member_id.in_(members))):
        user_ids[row.member_id].append((row.platform, row.user_id))
    resolved = {member: tuple(ids) for member, ids in user_ids.items()}
    return replace(outbound, body=with_mention_ids(outbound.body, resolved))
