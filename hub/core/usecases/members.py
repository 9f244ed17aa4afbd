"""What is left here of members over a session: merging two members, a member's export and
their card's edits, the records helper's to move behind the records port (issue 13). Members
and their accounts otherwise live behind `UnitOfWork.members` (`hub.core.usecases.directory`
is the rituals' view of them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.core.model import member_refs
from hub.core.model.domain import Member
from hub.core.model.mentions import match_members
from hub.core.model.ritual import member_data
from hub.core.storage.orm import (
    DeliveryRow,
    IdentityRow,
    MemberRow,
    RitualRecordRow,
    SpaceMemberRow,
)
from hub.core.storage.repositories.members import (
    SqlMembers,
    list_recipients,
    mark_unreachable,
    reachable_identities,
)

# Still imported from here by callers not yet behind the unit of work (planner, sender).
__all__ = [
    "SqlDirectory",
    "list_recipients",
    "mark_unreachable",
    "merge_members",
    "reachable_identities",
    "set_profile",
]


class SqlDirectory:
    """The ritual port `Directory` over the database, inside the caller's transaction.

    Members are loaded once per decision, on first use (most events never ask)."""

    def __init__(self, session: Session, community_id: str) -> None:
        self.session = session
        self.community_id = community_id
        self._members = SqlMembers(session, community_id)
        self._all: list[Member] | None = None

    def member(self, member_id: int) -> Member | None:
        """The member with that id in this community, if any."""
        return self._members.get(member_id)

    def members(self) -> list[Member]:
        """Every member of the community, oldest first."""
        if self._all is None:
            self._all = self._members.everyone()
        return list(self._all)

    def find(self, token: str, platform: str) -> list[Member]:
        """The members a command argument may mean."""
        return match_members(token, platform, self.members())

    def export(self, member_id: int) -> dict[str, Any]:
        """Everything kept about the member: card, accounts, lists joined, their ritual records,
        and other members' records that name them (`about_you`)."""
        member = self.member(member_id)
        if member is None:
            return {}
        spaces = self.session.scalars(
            select(SpaceMemberRow).where(SpaceMemberRow.member_id == member_id)
        )
        records = self.session.scalars(
            select(RitualRecordRow)
            .where(RitualRecordRow.member_id == member_id)
            .order_by(RitualRecordRow.id)
        )
        return {
            **member_data(member),
            "spaces": [{"platform": s.platform, "space": s.space} for s in spaces],
            "records": [_record(r) for r in records],
            "about_you": [_record(r) for r in self._naming(member_id)],
        }

    def _naming(self, member_id: int) -> list[RitualRecordRow]:
        """Other members' records that name the member (their nominations of them…)."""
        rows = self.session.scalars(
            select(RitualRecordRow)
            .where(
                RitualRecordRow.community_id == self.community_id,
                RitualRecordRow.member_id.is_distinct_from(member_id),
            )
            .order_by(RitualRecordRow.id)
        )
        return [r for r in rows if member_refs.names(r.data, member_id)]


def _record(row: RitualRecordRow) -> dict[str, Any]:
    return {"ritual": row.ritual, "kind": row.kind, "at": row.created_at.isoformat(), **row.data}


def set_profile(session: Session, member_id: int, fields: Mapping[str, str | None]) -> None:
    """Change fields of the member's card; None removes a field (`MemberStore.set_profile`;
    this session form stays until `effects` calls `uow.members.set_profile`)."""
    member = session.get_one(MemberRow, member_id)
    SqlMembers(session, member.community_id).set_profile(member_id, fields)


def merge_members(session: Session, kept: int, merged: int) -> None:
    """One person, two members: everything of `merged` now belongs to `kept`.

    Accounts, space memberships, records (points, nominations…) and deliveries move, and
    records naming `merged` (a nomination of them) now name `kept`; the profile keeps `kept`'s fields and fills the gaps from `merged`; `merged` is deleted."""
    if kept == merged:
        return
    for table in (IdentityRow, SpaceMemberRow, RitualRecordRow, DeliveryRow):
        session.execute(update(table).where(table.member_id == merged).values(member_id=kept))
    keeper = session.get_one(MemberRow, kept)
    for record in session.scalars(
        select(RitualRecordRow).where(RitualRecordRow.community_id == keeper.community_id)
    ):
        data = member_refs.renamed(record.data, merged, kept)
        if data != record.data:
            record.data = data
    gone = session.get_one(MemberRow, merged)
    keeper.profile = {**(gone.profile or {}), **(keeper.profile or {})}
    keeper.created_at = min(keeper.created_at, gone.created_at)
    session.delete(gone)
    session.flush()
