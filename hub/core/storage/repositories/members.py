"""SQL for members and their accounts (`hub.core.ports.inbound_store.MemberStore`).

The module-level functions take a session for the callers that have not moved behind a unit of
work yet (the planner's destinations, the sender's failures, forget-me's export); `SqlMembers`
is the repository the inbound pipeline and the ritual runner use.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.model.domain import Identity, Member
from hub.core.storage.orm import IdentityRow, MemberRow, SpaceMemberRow
from hub.core.storage.repositories.base import Repository
from hub.core.storage.sql import insert_if_absent


class SqlMembers(Repository):
    """Members, identities, space memberships (`MemberRow`, `IdentityRow`, `SpaceMemberRow`)."""

    def resolve(self, identity: Identity, now: datetime) -> Member:
        """The member behind a platform identity, created on first sight."""
        row = self._identity(identity)
        if row is None:
            row = self._create(identity, now)
        else:
            row.last_seen_at = now
            row.display_name = identity.display_name or row.display_name
        return load_member(self.session, row.member_id)

    def _create(self, identity: Identity, now: datetime) -> IdentityRow:
        member = MemberRow(
            community_id=self.community_id, display_name=identity.display_name, created_at=now
        )
        self.session.add(member)
        self.session.flush()
        values = {
            "member_id": member.id,
            "community_id": self.community_id,
            "platform": identity.platform,
            "user_id": identity.user_id,
            "display_name": identity.display_name,
            "reachable": True,
            "last_seen_at": now,
        }
        if not insert_if_absent(self.session, IdentityRow.__table__, values):  # type: ignore[arg-type]
            self.session.delete(member)  # another worker met this person at the same moment
        row = self._identity(identity)
        assert row is not None
        return row

    def get(self, member_id: int) -> Member | None:
        """The member with that id in this community, if any."""
        row = self.session.get(MemberRow, member_id)
        if row is None or row.community_id != self.community_id:
            return None
        return load_member(self.session, member_id)

    def everyone(self) -> list[Member]:
        """Every member of the community, oldest first."""
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
        return [member_of(row, identities.get(row.id, [])) for row in rows]

    def set_profile(self, member_id: int, fields: Mapping[str, str | None]) -> None:
        """Change fields of the member's card; None removes a field."""
        row = self.session.get_one(MemberRow, member_id)
        profile = dict(row.profile or {})
        for key, value in fields.items():
            if value is None:
                profile.pop(key, None)
            else:
                profile[key] = value
        row.profile = profile

    def join_space(self, space: str, identity: Identity, now: datetime) -> None:
        """Record that the account joined the space (once; a second join changes nothing)."""
        row = self._identity(identity)
        if row is None:
            return
        values = {
            "community_id": self.community_id,
            "platform": identity.platform,
            "space": space,
            "user_id": identity.user_id,
            "member_id": row.member_id,
            "joined_at": now,
        }
        insert_if_absent(self.session, SpaceMemberRow.__table__, values)  # type: ignore[arg-type]

    def spaces_of(self, member_id: int) -> list[tuple[str, str]]:
        """(platform, space) of every space the member's accounts are in."""
        rows = self.session.scalars(
            select(SpaceMemberRow)
            .where(SpaceMemberRow.member_id == member_id)
            .order_by(SpaceMemberRow.platform, SpaceMemberRow.space)
        )
        return [(row.platform, row.space) for row in rows]

    def leave_space(self, space: str, identity: Identity) -> None:
        """Forget that the account is in the space."""
        key = (self.community_id, identity.platform, space, identity.user_id)
        row = self.session.get(SpaceMemberRow, key)
        if row is not None:
            self.session.delete(row)

    def set_opted_out(self, identity: Identity, when: datetime | None) -> None:
        """Opt the account out (`when`) or back in (None); its space memberships are kept."""
        row = self._identity(identity)
        if row is not None:
            row.opted_out_at = when
            if when is None:
                row.reachable, row.unreachable_reason = True, None

    def open_private_chat(self, identity: Identity) -> None:
        """The person wrote to the hub privately: from now on the hub may write back."""
        row = self._identity(identity)
        if row is not None:
            row.private_chat_open, row.reachable, row.unreachable_reason = True, True, None

    def private_chat_open(self, identity: Identity) -> bool:
        """Whether the person has ever opened a private chat with the hub on that platform."""
        row = self._identity(identity)
        return row is not None and row.private_chat_open

    def mark_unreachable(self, member_id: int, platform: str, reason: str) -> None:
        """Record that a member cannot be written to on a platform (blocked the bot, left…)."""
        mark_unreachable(self.session, member_id, platform, reason)

    def _identity(self, identity: Identity) -> IdentityRow | None:
        return self.session.scalar(
            select(IdentityRow).where(
                IdentityRow.community_id == self.community_id,
                IdentityRow.platform == identity.platform,
                IdentityRow.user_id == identity.user_id,
            )
        )


def load_member(session: Session, member_id: int) -> Member:
    """A member with all their identities."""
    member = session.get_one(MemberRow, member_id)
    identities = session.scalars(
        select(IdentityRow).where(IdentityRow.member_id == member_id).order_by(IdentityRow.id)
    )
    return member_of(member, list(identities))


def member_of(row: MemberRow, identities: list[IdentityRow]) -> Member:
    """The neutral member of a row and its identity rows."""
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


def mark_unreachable(session: Session, member_id: int, platform: str, reason: str) -> None:
    """Record that a member cannot be written to on a platform (blocked the bot, left…)."""
    for row in session.scalars(
        select(IdentityRow).where(
            IdentityRow.member_id == member_id, IdentityRow.platform == platform
        )
    ):
        row.reachable = False
        row.unreachable_reason = reason[:500]
