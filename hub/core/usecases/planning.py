"""The outbox: turns a ritual's outbound messages into delivery rows, in the ritual's transaction.

Each delivery gets an idempotency key (cause + message key + destination + part), so planning the
same cause twice plans nothing new, and a delivery already sent is never planned again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.core.model.community import CommunityRuntime
from hub.core.model.deliveries import ERASE, PENDING, DeliveryState, Destination, idempotency_key
from hub.core.model.domain import Identity
from hub.core.model.messages import MemberTarget, Outbound, SpaceTarget
from hub.core.model.richtext import mentioned_members, with_mention_ids
from hub.core.ports import Renderer, TemplateRenderer, UnitOfWork
from hub.core.storage.deliveries import skip_later_parts
from hub.core.storage.orm import AddressMoveRow, DeliveryRow, IdentityRow
from hub.core.storage.sql import insert_if_absent
from hub.core.usecases.bridge import session_of
from hub.core.usecases.members import list_recipients, reachable_identities

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
        found: list[Destination] = []
        for s in runtime.spaces_named(target.space, target.platform):
            if s.opt_in_list:
                found += _list_destinations(session, s.community_id, s.platform, s.name)
            else:
                address = moved.get((s.platform, s.address), s.address)
                found.append(
                    Destination(
                        community_id=s.community_id,
                        platform=s.platform,
                        address=address,
                        space=s.name,
                    )
                )
        return found
    return _member_destinations(session, target, needs_opt_in)


def _list_destinations(
    session: Session, community_id: str, platform: str, space: str
) -> list[Destination]:
    """An opt-in list's post: one destination per member who joined it and may be written to."""
    return [
        Destination(
            community_id=community_id,
            platform=platform,
            address=i.user_id,
            member_id=i.member_id,
            space=space,
        )
        for i in list_recipients(session, community_id, platform, space)
    ]


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
    window = Counter[str]()
    found = destinations(session, runtime, outbound, needs_opt_in)
    recipients = _recipients(session, runtime.community.id, found, renderers)
    for destination in found:
        renderer = renderers.get((runtime.community.id, destination.platform))
        if renderer is None or (destination.private and not renderer.capabilities.private_messages):
            log.info(
                "delivery.not_possible",
                platform=destination.platform,
                ritual=ritual,
                key=outbound.key,
            )
            continue
        recipient = recipients.get((destination.platform, destination.address), (None, ""))
        verdict, payloads = _within_window(renderer, ritual, outbound, destination, recipient, now)
        window[f"{destination.platform}:{verdict}"] += 1
        state, reason = _OUTSIDE.get(verdict, (DeliveryState.QUEUED, None))
        for part, payload in enumerate(payloads):
            key = idempotency_key(cause, outbound.key, destination, part)
            row = _Row(ritual, destination, part, payload, key, *_part_state(part, state, reason))
            ids.extend(_write(session, runtime, row, now, next_part=part + 1 < len(payloads)))
    _log_window(window, ritual, outbound.key)
    return ids


_HELD_REASON = (
    "outside the 24-hour reply window and no approved template for this ritual: "
    "held until the member writes again"
)
_OUTSIDE: dict[str, tuple[DeliveryState, str | None]] = {
    "held": (DeliveryState.HELD, _HELD_REASON),
    "skipped": (
        DeliveryState.SKIPPED,
        "outside the 24-hour reply window and no approved template for this ritual",
    ),
}


def _part_state(
    part: int, state: DeliveryState, reason: str | None
) -> tuple[DeliveryState, str | None]:
    """The first part takes the message's state; later ones wait for the part before them."""
    if part == 0 or state is DeliveryState.SKIPPED:
        return state, reason
    return DeliveryState.WAITING, None


def _within_window(
    renderer: Renderer,
    ritual: str,
    outbound: Outbound,
    destination: Destination,
    recipient: tuple[datetime | None, str],
    now: datetime,
) -> tuple[str, list[dict[str, Any]]]:
    """How a message may reach a member on a platform with a reply window, and its payloads.

    "free" inside the window (or on platforms without one); "template" when an approved
    template stands in; "held" or "skipped" otherwise, with the free-form payloads kept for
    when the member writes again.
    """
    capabilities = renderer.capabilities
    if capabilities.reply_window is None or destination.member_id is None:
        return "free", renderer.render(outbound, destination)
    seen, name = recipient
    if seen is not None and now - seen < capabilities.reply_window:
        return "free", renderer.render(outbound, destination)
    if isinstance(renderer, TemplateRenderer):
        template = renderer.render_template(ritual, outbound, destination, name)
        if template is not None:
            return "template", [template]
    verdict = "held" if capabilities.hold_outside_window else "skipped"
    return verdict, renderer.render(outbound, destination)


def _recipients(
    session: Session,
    community_id: str,
    found: list[Destination],
    renderers: Mapping[tuple[str, str], Renderer],
) -> dict[tuple[str, str], tuple[datetime | None, str]]:
    """When each member on a platform with a reply window last wrote, and their name: read
    once for the whole fan-out, not once per member."""
    wanted: dict[str, list[str]] = {}
    for d in found:
        renderer = renderers.get((community_id, d.platform))
        if d.member_id is not None and renderer and renderer.capabilities.reply_window:
            wanted.setdefault(d.platform, []).append(d.address)
    known: dict[tuple[str, str], tuple[datetime | None, str]] = {}
    for platform, addresses in wanted.items():
        for start in range(0, len(addresses), _CHUNK):
            rows = session.execute(
                select(
                    IdentityRow.user_id, IdentityRow.last_seen_at, IdentityRow.display_name
                ).where(
                    IdentityRow.community_id == community_id,
                    IdentityRow.platform == platform,
                    IdentityRow.user_id.in_(addresses[start : start + _CHUNK]),
                )
            )
            known |= {(platform, r.user_id): (r.last_seen_at, r.display_name) for r in rows}
    return known


_CHUNK = 500  # addresses per query, well under every database's parameter limit


def _log_window(window: Counter[str], ritual: str, key: str) -> None:
    """Say how many members a reply window kept from a free-form message, per platform."""
    platforms = {name.split(":")[0] for name in window}
    for platform in sorted(platforms):
        counts = {v: window[f"{platform}:{v}"] for v in ("free", "template", "held", "skipped")}
        if counts["template"] or counts["held"] or counts["skipped"]:
            log.info(
                "delivery.reply_window",
                platform=platform,
                ritual=ritual,
                key=key,
                inside=counts["free"],
                outside=counts["template"] + counts["held"] + counts["skipped"],
                **{f"by_{v}": n for v, n in counts.items() if v != "free"},
            )


def release_held(
    session: Session, community_id: str, platform: str, address: str, now: datetime, keep: timedelta
) -> list[int]:
    """The member wrote: what was held for them goes out now, unless held longer than `keep`."""
    held = session.scalars(
        select(DeliveryRow).where(
            DeliveryRow.community_id == community_id,
            DeliveryRow.platform == platform,
            DeliveryRow.address == address,
            DeliveryRow.state == DeliveryState.HELD.value,
        )
    )
    ids: list[int] = []
    for row in held:
        if now - row.updated_at <= keep:
            row.state, row.last_error, row.lease_until = DeliveryState.QUEUED.value, None, None
            ids.append(row.id)
        else:
            row.state = DeliveryState.SKIPPED.value
            row.last_error = f"held longer than {keep} for the member to write: no longer relevant"
            skip_later_parts(session, row, now)
        row.updated_at = now
    return ids


def skip_pending(
    session: Session, community_id: str, platform: str, address: str, reason: str, now: datetime
) -> int:
    """Nothing waiting for this account will be sent (it opted out); returns how many."""
    rows = session.scalars(
        select(DeliveryRow).where(
            DeliveryRow.community_id == community_id,
            DeliveryRow.platform == platform,
            DeliveryRow.address == address,
            DeliveryRow.state.in_([state.value for state in PENDING]),
        )
    )
    count = 0
    for row in rows:
        row.state, row.last_error, row.updated_at = DeliveryState.SKIPPED.value, reason, now
        count += 1
    return count


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
        if not renderer.capabilities.edits:
            continue
        payload = {
            **renderer.render(outbound, destination)[0],
            "edit": original.platform_message_id,
        }
        key = idempotency_key(cause, outbound.key, destination, 0) + "|edit"
        row = _Row(ritual, destination, 0, payload, key, DeliveryState.QUEUED, None)
        ids.extend(_write(session, runtime, row, now))
    return ids


@dataclass(frozen=True, slots=True)
class _Row:
    """One delivery row to write."""

    ritual: str
    destination: Destination
    part: int
    payload: dict[str, Any]
    key: str
    state: DeliveryState
    reason: str | None


def _write(
    session: Session,
    runtime: CommunityRuntime,
    row: _Row,
    now: datetime,
    *,
    next_part: bool = False,
) -> list[int]:
    destination, key = row.destination, row.key
    insert_if_absent(
        session,
        DeliveryRow.__table__,  # type: ignore[arg-type]
        {
            "idempotency_key": key,
            "community_id": runtime.community.id,
            "ritual": row.ritual,
            "platform": destination.platform,
            "address": destination.address,
            "private": destination.private,
            "space": destination.space,
            "member_id": destination.member_id,
            "part": row.part,
            "payload": row.payload,
            "state": row.state.value,
            "last_error": row.reason,
            "next_part": next_part,
            "created_at": now,
            "updated_at": now,
        },
    )
    found = session.execute(
        select(DeliveryRow.id, DeliveryRow.state).where(DeliveryRow.idempotency_key == key)
    ).one()
    return [found.id] if found.state in (DeliveryState.QUEUED, DeliveryState.SENDING) else []


def plan_erasure(
    session: Session,
    runtime: CommunityRuntime,
    *,
    ritual: str,
    cause: str,
    account: Identity,
    now: datetime,
) -> list[int]:
    """Ask `account`'s platform to erase what it keeps of them (`delivery.ERASE`), once; the
    row, like the goodbye, keeps neither address nor payload once sent."""
    destination = Destination(
        community_id=runtime.community.id,
        platform=account.platform,
        address=account.user_id,
        private=True,
    )
    key = idempotency_key(cause, ERASE, destination, 0)
    row = _Row(ritual, destination, 0, {ERASE: True}, key, DeliveryState.QUEUED, None)
    ids = _write(session, runtime, row, now)
    session.execute(
        update(DeliveryRow).where(DeliveryRow.idempotency_key == key).values(forget_when_sent=True)
    )
    return ids


def _with_mentions(session: Session, outbound: Outbound) -> Outbound:
    members = mentioned_members(outbound.body)
    if not members:
        return outbound
    user_ids: dict[int, list[tuple[str, str]]] = {m: [] for m in members}
    for row in session.scalars(select(IdentityRow).where(IdentityRow.member_id.in_(members))):
        user_ids[row.member_id].append((row.platform, row.user_id))
    resolved = {member: tuple(ids) for member, ids in user_ids.items()}
    return replace(outbound, body=with_mention_ids(outbound.body, resolved))


class Planner:
    """The outbox planner of one community, in one unit of work, at one moment: what the
    ritual runner and the inbound pipeline call. (Its insides move behind `uow.outbox`.)"""

    def __init__(
        self,
        uow: UnitOfWork,
        runtime: CommunityRuntime,
        renderers: Mapping[tuple[str, str], Renderer],
        now: datetime,
    ) -> None:
        self.uow, self.runtime, self.renderers, self.now = uow, runtime, renderers, now

    def plan(self, ritual: str, cause: str, outbound: Outbound) -> list[int]:
        """Write the deliveries of one outbound message; the ids of those still to send."""
        return plan(
            session_of(self.uow),
            self.runtime,
            self.renderers,
            ritual=ritual,
            cause=cause,
            outbound=outbound,
            now=self.now,
        )

    def skip_pending(self, platform: str, address: str, reason: str) -> int:
        """Nothing waiting for this account will be sent (it opted out); how many."""
        return skip_pending(
            session_of(self.uow), self.runtime.community.id, platform, address, reason, self.now
        )

    def release_held(self, platform: str, address: str, keep: timedelta) -> list[int]:
        """The member wrote: what was held for them goes now, unless held longer than `keep`."""
        return release_held(
            session_of(self.uow), self.runtime.community.id, platform, address, self.now, keep
        )

    def plan_erasure(self, ritual: str, cause: str, account: Identity) -> list[int]:
        """Ask `account`'s platform to erase what it keeps of them, once."""
        return plan_erasure(
            session_of(self.uow),
            self.runtime,
            ritual=ritual,
            cause=cause,
            account=account,
            now=self.now,
        )
