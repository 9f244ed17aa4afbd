"""Members and their identities: who is who across platforms."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.model.domain import Identity, Member
from hub.core.model.mentions import match_members
from hub.core.model.ritual import member_data
from hub.core.storage.orm import IdentityRow, MemberRow, SpaceMemberRow
from hub.core.storage.sql import insert_if_absent
from hub.core.storage.unit_of_work import SqlUnitOfWork
from hub.core.usecases.exporting import exported_records
from hub.core.usecases.ritual_state import StateModels


def resolve_member(
    session: Session, community_id: str, identity: Identity, now: datetime
) -> Member:
    """The member behind a platform identity, created on first sight."""
    row = _identity_row(session, community_id, identity)
    if row is None:
        member = MemberRow(
            community_id=community_id, display_name=identity.display_name, created_at=now
        )
        session.add(member)
        session.flush()
        created = insert_if_absent(
            session,
            IdentityRow.__table__,  # type: ignore[arg-type]
            {
                "member_id": member.id,
                "community_id": community_id,
                "platform": identity.platform,
                "user_id": identity.user_id,
                "display_name": identity.display_name,
                "reachable": True,
                "last_seen_at": now,
            },
        )
        if not created:  # another worker met this person at the same moment: keep theirs
            session.delete(member)
        row = _identity_row(session, community_id, identity)
        assert row is not None
    else:
        row.last_seen_at = now
        row.display_name = identity.display_name or row.display_name
    return load_member(session, row.member_id)


def load_member(session: Session, member_id: int) -> Member:
    """A member with all their identities."""
    member = session.get_one(MemberRow, member_id)
    identities = list(
        session.scalars(
            select(IdentityRow).where(IdentityRow.member_id == member_id).order_by(IdentityRow.id)
        )
    )
    return _member(member, identities)


def _member(row: MemberRow, identities: list[IdentityRow]) -> Member:
    return Member(
        id=row.id,
        community_id=row.community_id,
        display_name=row.display_name,
        locale=row.locale,
        identities=tuple(
            Identity(platform=i.platform, user_id=i.user_id, display_name=i.display_name)
            for i in identities
        ),
        profile=dict(row.profile or {}),
        joined_at=row.created_at,
        reachable=any(i.reachable and i.opted_out_at is None for i in identities),
    )


class SqlDirectory:
    """The ritual port `Directory` over the database, inside the caller's transaction.

    Members are loaded once per decision, on first use (most events never ask)."""

    def __init__(
        self, session: Session, community_id: str, models: StateModels | None = None
    ) -> None:
        self.session = session
        self.community_id = community_id
        self.models: StateModels = models or {}
        self._all: list[Member] | None = None

    def member(self, member_id: int) -> Member | None:
        """The member with that id in this community, if any."""
        row = self.session.get(MemberRow, member_id)
        if row is None or row.community_id != self.community_id:
            return None
        return load_member(self.session, member_id)

    def members(self) -> list[Member]:
        """Every member of the community, oldest first."""
        if self._all is None:
            rows = self.session.scalars(
                select(MemberRow)
                .where(MemberRow.community_id == self.community_id)
                .order_by(MemberRow.created_at, MemberRow.id)
            )
            identities: dict[int, list[IdentityRow]] = {}
            for identity in self.session.scalars(
                select(IdentityRow)
                .where(IdentityRow.community_id == self.community_id)
                .order_by(IdentityRow.id)
            ):
                identities.setdefault(identity.member_id, []).append(identity)
            self._all = [_member(row, identities.get(row.id, [])) for row in rows]
        return list(self._all)

    def find(self, token: str, platform: str) -> list[Member]:
        """The members a command argument may mean."""
        return match_members(token, platform, self.members())

    def export(self, member_id: int) -> dict[str, Any]:
        """Everything kept about the member: card, accounts, lists joined, their ritual records,
        other members' records that name them (`about_you`) and, in every ritual's state, their
        member records (`rituals`)."""
        member = self.member(member_id)
        if member is None:
            return {}
        spaces = self.session.scalars(
            select(SpaceMemberRow).where(SpaceMemberRow.member_id == member_id)
        )
        uow = SqlUnitOfWork(self.session, self.community_id)
        return {
            **member_data(member),
            "spaces": [{"platform": s.platform, "space": s.space} for s in spaces],
            **exported_records(uow, member_id, self.models),
        }


def set_profile(session: Session, member_id: int, fields: Mapping[str, str | None]) -> None:
    """Change fields of the member's card; None removes a field."""
    row = session.get_one(MemberRow, member_id)
    profile = dict(row.profile or {})
    for key, value in fields.items():
        if value is None:
            profile.pop(key, None)
        else:
            profile[key] = value
    row.profile = profile


def reachable_identities(session: Session, member_id: int) -> list[IdentityRow]:
    """The member's accounts the hub may still write to, most recently seen first."""
    return list(
        session.scalars(
            select(IdentityRow)
            .where(
                IdentityRow.member_id == member_id,
                IdentityRow.reachable.is_(True),
                IdentityRow.opted_out_at.is_(None),
            )
            .order_by(IdentityRow.last_seen_at.desc())
        )
    )


def join_space(
    session: Session, community_id: str, space: str, identity: Identity, now: datetime
) -> None:
    """Record that the account joined the space (once; a second join changes nothing)."""
    row = _identity_row(session, community_id, identity)
    if row is None:
        return
    insert_if_absent(
        session,
        SpaceMemberRow.__table__,  # type: ignore[arg-type]
        {
            "community_id": community_id,
            "platform": identity.platform,
            "space": space,
            "user_id": identity.user_id,
            "member_id": row.member_id,
            "joined_at": now,
        },
    )


def leave_space(session: Session, community_id: str, space: str, identity: Identity) -> None:
    """Forget that the account is in the space."""
    row = session.get(SpaceMemberRow, (community_id, identity.platform, space, identity.user_id))
    if row is not None:
        session.delete(row)


def list_recipients(
    session: Session, community_id: str, platform: str, space: str
) -> list[IdentityRow]:
    """The accounts a post to an opt-in list reaches: joined, reachable, not opted out."""
    return list(
        session.scalars(
            select(IdentityRow)
            .join(
                SpaceMemberRow,
                (SpaceMemberRow.community_id == IdentityRow.community_id)
                & (SpaceMemberRow.platform == IdentityRow.platform)
                & (SpaceMemberRow.user_id == IdentityRow.user_id),
            )
            .where(
                SpaceMemberRow.community_id == community_id,
                SpaceMemberRow.platform == platform,
                SpaceMemberRow.space == space,
                IdentityRow.reachable.is_(True),
                IdentityRow.opted_out_at.is_(None),
            )
            .order_by(IdentityRow.id)
        )
    )


def set_opted_out(
    session: Session, community_id: str, identity: Identity, when: datetime | None
) -> IdentityRow | None:
    """Opt the account out (`when`) or back in (None); its space memberships are kept."""
    row = _identity_row(session, community_id, identity)
    if row is not None:
        row.opted_out_at = when
        if when is None:
            row.reachable, row.unreachable_reason = True, None
    return row


def mark_private_chat_open(session: Session, community_id: str, identity: Identity) -> None:
    """The person wrote to the hub privately: from now on the hub may write back."""
    row = _identity_row(session, community_id, identity)
    if row is not None:
        row.private_chat_open, row.reachable, row.unreachable_reason = True, True, None


def private_chat_open(session: Session, community_id: str, identity: Identity) -> bool:
    """Whether the person has ever opened a private chat with the hub on that platform."""
    row = _identity_row(session, community_id, identity)
    return row is not None and row.private_chat_open


def mark_unreachable(session: Session, member_id: int, platform: str, reason: str) -> None:
    """Record that a member cannot be written to on a platform (blocked the bot, left…)."""
    for row in session.scalars(
        select(IdentityRow).where(
            IdentityRow.member_id == member_id, IdentityRow.platform == platform
        )
    ):
        row.reachable = False
        row.unreachable_reason = reason[:500]


def _identity_row(session: Session, community_id: str, identity: Identity) -> IdentityRow | None:
    return session.scalar(
        select(IdentityRow).where(
            IdentityRow.community_id == community_id,
            IdentityRow.platform == identity.platform,
            IdentityRow.user_id == identity.user_id,
        )
    )
