"""SQL for linking and forgetting whole people (`hub.core.ports.people_store`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, or_, select, update

from hub.core.model.deliveries import PENDING, DeliveryState
from hub.core.model.domain import Identity
from hub.core.model.traces import FORGOTTEN, SKIPPED_REASON, Traces, normal, strings
from hub.core.storage.orm import (
    DeliveryRow,
    IdentityRow,
    InboxRow,
    MemberRow,
    ProcessedEventRow,
    SpaceMemberRow,
)
from hub.core.storage.repositories.base import Repository

BATCH = 500
_PENDING = tuple(state.value for state in PENDING)
_OWN_ROWS = (IdentityRow, SpaceMemberRow, DeliveryRow)


class SqlPeople(Repository):
    """Members with their accounts, memberships and deliveries (`MemberRow` and the rows
    pointing at it), and the traces a forgotten one leaves elsewhere."""

    def merge(self, kept: int, gone: int) -> None:
        """`gone`'s rows now point at `kept`; the card keeps `kept`'s fields first."""
        for table in _OWN_ROWS:
            self.session.execute(
                update(table).where(table.member_id == gone).values(member_id=kept)
            )
        keeper = self.session.get_one(MemberRow, kept)
        other = self.session.get_one(MemberRow, gone)
        keeper.profile = {**(other.profile or {}), **(keeper.profile or {})}
        keeper.created_at = min(keeper.created_at, other.created_at)
        self.session.delete(other)
        self.session.flush()

    def traces(self, member_id: int) -> Traces | None:
        """Their id, accounts and names, read before anything is deleted."""
        member = self.session.get(MemberRow, member_id)
        if member is None:
            return None
        rows = self.session.scalars(select(IdentityRow).where(IdentityRow.member_id == member_id))
        accounts = tuple(
            Identity(platform=i.platform, user_id=i.user_id, display_name=i.display_name)
            for i in rows
        )
        names = dict.fromkeys([member.display_name, *(a.display_name for a in accounts)])
        return Traces(member_id=member_id, accounts=accounts, names=tuple(names))

    def erase(self, member_id: int, farewell_cause: str) -> None:
        """The member and their own rows; the goodbye stays, detached, to be sent."""
        self.session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.member_id == member_id,
                DeliveryRow.idempotency_key.startswith(f"{farewell_cause}|", autoescape=True),
            )
            .values(member_id=None, forget_when_sent=True)
        )
        for table in _OWN_ROWS:
            self.session.execute(delete(table).where(table.member_id == member_id))
        self.session.execute(delete(MemberRow).where(MemberRow.id == member_id))

    def scrub(self, traces: Traces) -> None:
        """Deliveries, processed-event ids and inbound events that carry their traces."""
        self._scrub_deliveries(traces)
        self._forget_event_ids(traces.user_ids)
        self.session.execute(
            delete(InboxRow).where(
                InboxRow.community_id == self.community_id, InboxRow.user_id.in_(traces.user_ids)
            )
        )

    def _scrub_deliveries(self, traces: Traces) -> None:
        pattern = traces.in_text()
        if pattern is None:
            return
        for row in batches(
            self.session,
            DeliveryRow,
            DeliveryRow.community_id == self.community_id,
            DeliveryRow.forget_when_sent.is_(False),
        ):
            text = normal(" ".join([*strings(row.payload), row.last_error or ""]))
            named = pattern.search(text) is not None
            if named:
                _scrub(row, pattern)
            key = traces.scrubbed_key(row.idempotency_key, f"{FORGOTTEN}-{row.id}", named)
            if key != row.idempotency_key:
                row.idempotency_key = key

    def _forget_event_ids(self, user_ids: tuple[str, ...]) -> None:
        """Processed-event ids embedding an account id (`webchat:join:salon:<user>`) go: such an
        event, delivered again, is a new person's."""
        for user_id in user_ids:
            self.session.execute(
                delete(ProcessedEventRow).where(
                    ProcessedEventRow.community_id == self.community_id,
                    or_(
                        ProcessedEventRow.event_id.endswith(f":{user_id}", autoescape=True),
                        ProcessedEventRow.event_id.contains(f":{user_id}:", autoescape=True),
                    ),
                )
            )


def scrub_sent(row: DeliveryRow) -> None:
    """A goodbye is out: keep that it was sent, not where to or what it said."""
    row.address = FORGOTTEN
    row.payload = {}
    parts = row.idempotency_key.split("|")  # cause | message key | where | part
    if len(parts) >= 4:
        parts[2] = f"{row.platform}:{'dm' if row.private else 'space'}:{FORGOTTEN}-{row.id}"
        row.idempotency_key = "|".join(parts)
    row.forget_when_sent = False


def _scrub(row: DeliveryRow, pattern: re.Pattern[str]) -> None:
    """A delivery about the member: no text left; not sent if it was still waiting."""
    row.payload = {}
    if row.state in _PENDING:
        row.state, row.lease_until = DeliveryState.SKIPPED.value, None
        row.last_error = SKIPPED_REASON
    elif row.last_error and pattern.search(normal(row.last_error)):
        row.last_error = None


def batches(session: Any, table: Any, *where: Any) -> Iterator[Any]:
    """Every row that matches, by batches of ids (a large table never sits in memory)."""
    last = 0
    while True:
        batch = list(
            session.scalars(
                select(table).where(*where, table.id > last).order_by(table.id).limit(BATCH)
            )
        )
        if not batch:
            return
        last = batch[-1].id
        yield from batch
