"""Forgetting a member at their request (`/hub forget-me`): their rows and every trace of them.

Their own rows go: the member, accounts, space memberships, records, deliveries. Then the traces
elsewhere: records of other members that name them (see `member_refs`) are deleted; deliveries
whose text names them or carries one of their account ids are scrubbed (and skipped while still
waiting to be sent); processed-event ids that embed one of their account ids are dropped. The
rituals' states are the rituals' to clean, on the `MemberForgotten` event this is followed by.
The goodbye message is kept to be sent, and scrubs itself once it is (see `scrub_sent`).
Decision 013 explains what is deleted and what is anonymised.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from hub.core.model import member_refs
from hub.core.model.deliveries import PENDING, DeliveryState
from hub.core.model.domain import Identity
from hub.core.storage.orm import (
    DeliveryRow,
    IdentityRow,
    InboxRow,
    MemberRow,
    ProcessedEventRow,
    RitualRecordRow,
    SpaceMemberRow,
)

FORGOTTEN = "forgotten"
SKIPPED_REASON = "named a member who asked to be forgotten: not sent"
_BATCH = 500
_PENDING = tuple(state.value for state in PENDING)


@dataclass(frozen=True, slots=True)
class _Traces:
    """How the forgotten member shows in other rows: their id, account ids and names."""

    member_id: int
    user_ids: tuple[str, ...]
    names: tuple[str, ...]

    def in_text(self) -> re.Pattern[str] | None:
        """Any of their names or account ids, as a whole word, in normalised text."""
        words = [re.escape(_normal(w)) for w in (*self.user_ids, *self.names) if len(w) > 1]
        if not words:
            return None
        return re.compile(
            rf"(?<![\w-])(?:{'|'.join(sorted(words, key=len, reverse=True))})(?![\w-])"
        )

    def member_token(self) -> re.Pattern[str]:
        """Their member id as one `:`-separated part of a key (`points:badge:7:Pilier`)."""
        return re.compile(rf"(?<=:){self.member_id}(?=:|$)")


def forget_member(session: Session, member_id: int, farewell_cause: str) -> tuple[Identity, ...]:
    """Delete the member and every trace of them; returns the accounts they had.

    Deliveries planned by `farewell_cause` for them (the confirmation they were forgotten) are
    kept, detached from the member, to be sent, and scrub themselves once they are."""
    member = session.get(MemberRow, member_id)
    if member is None:
        return ()
    accounts = tuple(
        Identity(platform=i.platform, user_id=i.user_id, display_name=i.display_name)
        for i in session.scalars(select(IdentityRow).where(IdentityRow.member_id == member_id))
    )
    traces = _Traces(
        member_id=member_id,
        user_ids=tuple(a.user_id for a in accounts),
        names=tuple(dict.fromkeys([member.display_name, *(a.display_name for a in accounts)])),
    )
    community_id = member.community_id
    session.execute(
        update(DeliveryRow)
        .where(
            DeliveryRow.member_id == member_id,
            DeliveryRow.idempotency_key.startswith(f"{farewell_cause}|", autoescape=True),
        )
        .values(member_id=None, forget_when_sent=True)
    )
    for table in (IdentityRow, SpaceMemberRow, RitualRecordRow, DeliveryRow):
        session.execute(delete(table).where(table.member_id == member_id))
    session.execute(delete(MemberRow).where(MemberRow.id == member_id))
    _forget_references(session, community_id, member_id)
    _forget_in_deliveries(session, community_id, traces)
    _forget_event_ids(session, community_id, traces.user_ids)
    _forget_inbox(session, community_id, traces.user_ids)
    return accounts


def scrub_sent(row: DeliveryRow) -> None:
    """A goodbye is out: keep that it was sent, not where to or what it said."""
    row.address = FORGOTTEN
    row.payload = {}
    parts = row.idempotency_key.split("|")  # cause | message key | where | part
    if len(parts) >= 4:
        parts[2] = f"{row.platform}:{'dm' if row.private else 'space'}:{FORGOTTEN}-{row.id}"
        row.idempotency_key = "|".join(parts)
    row.forget_when_sent = False


def _forget_references(session: Session, community_id: str, member_id: int) -> None:
    """Records of other members that name the member: deleted; list entries naming them (a
    leaderboard's line): left out."""
    for row in _all(session, RitualRecordRow, RitualRecordRow.community_id == community_id):
        if member_refs.names(row.data, member_id):
            session.delete(row)
            continue
        data = member_refs.without(row.data, member_id)
        if data != row.data:
            row.data = data


def _forget_in_deliveries(session: Session, community_id: str, traces: _Traces) -> None:
    """Deliveries that name the member or carry an account id of theirs: scrubbed, and skipped
    if not sent yet; their idempotency keys lose the member's ids."""
    pattern = traces.in_text()
    if pattern is None:
        return
    rows = _all(
        session,
        DeliveryRow,
        DeliveryRow.community_id == community_id,
        DeliveryRow.forget_when_sent.is_(False),
    )
    for row in rows:
        text = _normal(" ".join([*_strings(row.payload), row.last_error or ""]))
        named = pattern.search(text) is not None
        if named:
            _scrub(row, pattern)
        key = _scrubbed_key(row, traces, named)
        if key != row.idempotency_key:
            row.idempotency_key = key


def _scrub(row: DeliveryRow, pattern: re.Pattern[str]) -> None:
    """A delivery about the member: no text left; not sent if it was still waiting."""
    row.payload = {}
    if row.state in _PENDING:
        row.state, row.lease_until = DeliveryState.SKIPPED.value, None
        row.last_error = SKIPPED_REASON
    elif row.last_error and pattern.search(_normal(row.last_error)):
        row.last_error = None


def _scrubbed_key(row: DeliveryRow, traces: _Traces, named: bool) -> str:
    """The key without their account ids (a cause's event id can embed one) and, in a message
    about them, without their member id (`points:badge:7:…`); still unique and `|`-shaped."""
    stand_in = f"{FORGOTTEN}-{row.id}"
    parts = row.idempotency_key.split("|")
    for user_id in traces.user_ids:
        token = re.compile(rf"(?<=[:|]){re.escape(user_id)}(?=[:|]|$)")
        parts = [token.sub(stand_in, p) for p in parts]
    if named and len(parts) > 1:
        parts[1] = traces.member_token().sub(stand_in, parts[1])
    return "|".join(parts)


def _forget_event_ids(session: Session, community_id: str, user_ids: tuple[str, ...]) -> None:
    """Processed-event ids that embed an account id (`webchat:join:salon:<user>`) go: such an
    event, delivered again, is a new person's."""
    for user_id in user_ids:
        session.execute(
            delete(ProcessedEventRow).where(
                ProcessedEventRow.community_id == community_id,
                or_(
                    ProcessedEventRow.event_id.endswith(f":{user_id}", autoescape=True),
                    ProcessedEventRow.event_id.contains(f":{user_id}:", autoescape=True),
                ),
            )
        )


def _forget_inbox(session: Session, community_id: str, user_ids: tuple[str, ...]) -> None:
    """Their inbound events go, processed or not (one still waiting would bring them back)."""
    session.execute(
        delete(InboxRow).where(
            InboxRow.community_id == community_id, InboxRow.user_id.in_(user_ids)
        )
    )


def _all(session: Session, table: Any, *where: Any) -> Iterator[Any]:
    """Every row that matches, by batches of ids (a large outbox never sits in memory)."""
    last = 0
    while True:
        batch = list(
            session.scalars(
                select(table).where(*where, table.id > last).order_by(table.id).limit(_BATCH)
            )
        )
        if not batch:
            return
        last = batch[-1].id
        yield from batch


def _strings(value: Any) -> Iterator[str]:
    """Every string in JSON data, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _normal(text: str) -> str:
    """Text as compared: markup entities and escapes undone, case ignored."""
    return html.unescape(text).replace("\\", "").casefold()
