"""SQL for the planner's and occurrences' ports (`hub.core.ports.outbox_store`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, Select, select, update

from hub.core.model.deliveries import PENDING, DeliveryState
from hub.core.ports.outbox_store import (
    Account,
    Held,
    LastSeen,
    OccurrenceTicket,
    PlannedDelivery,
    SentPart,
)
from hub.core.storage.deliveries import skip_later_parts
from hub.core.storage.orm import (
    AddressMoveRow,
    DeliveryRow,
    IdentityRow,
    OccurrenceRow,
    SpaceMemberRow,
)
from hub.core.storage.repositories.base import Repository
from hub.core.storage.sql import insert_if_absent

CHUNK = 500
"""Values per IN (…) query, well under every database's parameter limit."""
MANUAL = "manual"
"""`claimed_by` of an occurrence fired by hand."""


class SqlOutbox(Repository):
    """Planned deliveries (`DeliveryRow`, `AddressMoveRow`), and the accounts they go to."""

    def moves(self) -> Mapping[tuple[str, str], str]:
        """Spaces that moved: (platform, old address) -> new address."""
        rows = self.session.scalars(
            select(AddressMoveRow).where(AddressMoveRow.community_id == self.community_id)
        )
        return {(r.platform, r.old_address): r.new_address for r in rows}

    def list_accounts(self, community_id: str, platform: str, space: str) -> list[Account]:
        """The accounts a post to an opt-in list reaches: joined, writable, in joining order."""
        joined = (
            (SpaceMemberRow.community_id == IdentityRow.community_id)
            & (SpaceMemberRow.platform == IdentityRow.platform)
            & (SpaceMemberRow.user_id == IdentityRow.user_id)
        )
        query = (
            _writable()
            .join(SpaceMemberRow, joined)
            .where(
                SpaceMemberRow.community_id == community_id,
                SpaceMemberRow.platform == platform,
                SpaceMemberRow.space == space,
            )
            .order_by(IdentityRow.id)
        )
        return [_account(row) for row in self.session.scalars(query)]

    def member_accounts(self, member_id: int) -> list[Account]:
        """The member's writable accounts, most recently seen first."""
        query = (
            _writable()
            .where(IdentityRow.member_id == member_id)
            .order_by(IdentityRow.last_seen_at.desc())
        )
        return [_account(row) for row in self.session.scalars(query)]

    def last_seen(self, platform: str, user_ids: Collection[str]) -> dict[str, LastSeen]:
        """When each of these accounts last wrote, by user id, a chunk of ids per query."""
        wanted, found = list(user_ids), dict[str, LastSeen]()
        for start in range(0, len(wanted), CHUNK):
            rows = self.session.execute(
                select(
                    IdentityRow.user_id, IdentityRow.last_seen_at, IdentityRow.display_name
                ).where(
                    IdentityRow.community_id == self.community_id,
                    IdentityRow.platform == platform,
                    IdentityRow.user_id.in_(wanted[start : start + CHUNK]),
                )
            )
            found |= {r.user_id: LastSeen(r.last_seen_at, r.display_name) for r in rows}
        return found

    def mention_ids(self, member_ids: Collection[int]) -> dict[int, list[tuple[str, str]]]:
        """Every account (platform, user id) of each member, for rendering their mentions."""
        found: dict[int, list[tuple[str, str]]] = {m: [] for m in member_ids}
        query = select(IdentityRow).where(IdentityRow.member_id.in_(list(member_ids)))
        for row in self.session.scalars(query):
            found[row.member_id].append((row.platform, row.user_id))
        return found

    def write(self, delivery: PlannedDelivery, now: datetime) -> int | None:
        """Write the delivery unless its key is known; its id if it is still to send."""
        destination = delivery.destination
        insert_if_absent(
            self.session,
            DeliveryRow.__table__,  # type: ignore[arg-type]
            {
                "idempotency_key": delivery.key,
                "community_id": self.community_id,
                "ritual": delivery.ritual,
                "platform": destination.platform,
                "address": destination.address,
                "private": destination.private,
                "space": destination.space,
                "member_id": destination.member_id,
                "part": delivery.part,
                "payload": delivery.payload,
                "state": delivery.state.value,
                "last_error": delivery.reason,
                "next_part": delivery.next_part,
                "forget_when_sent": delivery.forget_when_sent,
                "created_at": now,
                "updated_at": now,
            },
        )
        found = self.session.execute(
            select(DeliveryRow.id, DeliveryRow.state).where(
                DeliveryRow.idempotency_key == delivery.key
            )
        ).one()
        return found.id if found.state in (DeliveryState.QUEUED, DeliveryState.SENDING) else None

    def sent_first_parts(self, ritual: str, cause: str, key: str) -> list[SentPart]:
        """The sent first parts of `ritual`'s message `key` planned for `cause`."""
        rows = self.session.scalars(
            select(DeliveryRow).where(
                DeliveryRow.community_id == self.community_id,
                DeliveryRow.ritual == ritual,
                DeliveryRow.idempotency_key.startswith(f"{cause}|{key}|", autoescape=True),
                DeliveryRow.part == 0,
                DeliveryRow.state == DeliveryState.SENT.value,
            )
        )
        return [
            SentPart(destination=r.destination(), platform_message_id=r.platform_message_id)
            for r in rows
        ]

    def skip_pending(self, destination: tuple[str, str], reason: str, now: datetime) -> int:
        """Skip whatever waits for (platform, address); how many."""
        pending = DeliveryRow.state.in_([state.value for state in PENDING])
        rows = list(
            self.session.scalars(select(DeliveryRow).where(*self._to(destination), pending))
        )
        for row in rows:
            row.state, row.last_error, row.updated_at = DeliveryState.SKIPPED.value, reason, now
        return len(rows)

    def held(self, destination: tuple[str, str]) -> list[Held]:
        """What is held for (platform, address)."""
        is_held = DeliveryRow.state == DeliveryState.HELD.value
        query = select(DeliveryRow.id, DeliveryRow.updated_at).where(
            *self._to(destination), is_held
        )
        return [Held(r.id, r.updated_at) for r in self.session.execute(query)]

    def queue_again(self, ids: Collection[int], now: datetime) -> None:
        """Held deliveries go out now."""
        if ids:
            self.session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id.in_(list(ids)))
                .values(
                    state=DeliveryState.QUEUED.value,
                    last_error=None,
                    lease_until=None,
                    updated_at=now,
                )
            )

    def give_up(self, delivery_id: int, reason: str, now: datetime) -> None:
        """A held delivery is skipped, with the parts that wait for it."""
        row = self.session.get_one(DeliveryRow, delivery_id)
        row.state, row.last_error, row.updated_at = DeliveryState.SKIPPED.value, reason, now
        skip_later_parts(self.session, row, now)

    def _to(self, destination: tuple[str, str]) -> tuple[ColumnElement[bool], ...]:
        platform, address = destination
        return (
            DeliveryRow.community_id == self.community_id,
            DeliveryRow.platform == platform,
            DeliveryRow.address == address,
        )


def _writable() -> Select[IdentityRow]:
    """Accounts that may be written to: reachable and not opted out."""
    return select(IdentityRow).where(
        IdentityRow.reachable.is_(True), IdentityRow.opted_out_at.is_(None)
    )


def _account(row: IdentityRow) -> Account:
    return Account(
        community_id=row.community_id,
        platform=row.platform,
        user_id=row.user_id,
        member_id=row.member_id,
        private_chat_open=row.private_chat_open,
    )


class SqlOccurrences(Repository):
    """Ritual occurrences (`OccurrenceRow`) of one community."""

    def take_claimed(self, occurrence_id: int, now: datetime) -> OccurrenceTicket | None:
        """Lock the claimed occurrence and mark it done; None if unknown, elsewhere or run."""
        row = self.session.scalars(
            select(OccurrenceRow).where(OccurrenceRow.id == occurrence_id).with_for_update()
        ).one_or_none()
        if row is None or row.state != "claimed" or row.community_id != self.community_id:
            return None
        row.state, row.done_at = "done", now
        return _ticket(row)

    def add_manual(self, ritual: str, now: datetime, *, done: bool) -> OccurrenceTicket:
        """A firing by hand, at `now`."""
        row = OccurrenceRow(
            community_id=self.community_id,
            ritual=ritual,
            scheduled_at=now,
            state="done" if done else "claimed",
            claimed_by=MANUAL,
            claimed_at=now,
            done_at=now if done else None,
        )
        self.session.add(row)
        self.session.flush()
        return _ticket(row)


def _ticket(row: OccurrenceRow) -> OccurrenceTicket:
    return OccurrenceTicket(
        id=row.id, ritual=row.ritual, scheduled_at=row.scheduled_at, manual=row.claimed_by == MANUAL
    )
