"""Members and their identities: who is who across platforms."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.domain import Identity, Member
from hub.core.storage.orm import IdentityRow, MemberRow, SpaceMemberRow
from hub.core.storage.sql import insert_if_absent


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
    identities = session.scalars(
        select(IdentityRow).where(IdentityRow.member_id == member_id).order_by(IdentityRow.id)
    )
    return Member(
        id=member.id,
        community_id=member.community_id,
        display_name=member.display_name,
        locale=member.locale,
        identities=tuple(
            Identity(platform=i.platform, user_id=i.user_id, display_name=i.display_name)
            for i in identities
        ),
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
