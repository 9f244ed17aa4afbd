"""Tables. Every row carries its community id: one database serves every community of a hub."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from hub.core.model.deliveries import Destination


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, aware, in UTC: the only clock storage uses for bookkeeping columns."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with the hub's column types."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class MemberRow(Base):
    """A person in a community."""

    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[str] = mapped_column(String(64), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """The member's card (bio, skills, link, city), as they wrote it."""


class IdentityRow(Base):
    """One platform account of a member, and whether the hub can reach it privately."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("community_id", "platform", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200))
    reachable: Mapped[bool] = mapped_column(default=True)
    private_chat_open: Mapped[bool] = mapped_column(default=False)
    unreachable_reason: Mapped[str | None] = mapped_column(String(500))
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    """When the person last wrote or acted: what opens WhatsApp's 24-hour window."""
    opted_out_at: Mapped[datetime | None]
    """Set by STOP: nothing is sent to this account until the person opts in again."""


class SpaceMemberRow(Base):
    """Who joined which space, by platform account; for opt-in lists, who a post goes to."""

    __tablename__ = "space_members"
    community_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    space: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedEventRow(Base):
    """Inbound events already handled: a redelivered event is recognised and ignored."""

    __tablename__ = "processed_events"
    __table_args__ = (Index("ix_processed_events_retention", "community_id", "received_at"),)
    community_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class RitualStateRow(Base):
    """A ritual's JSON state for one community; `version` guards against lost updates."""

    __tablename__ = "ritual_states"
    community_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ritual: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RitualRecordRow(Base):
    """Something a ritual wants kept, append-only (an icebreaker answer, a nomination…)."""

    __tablename__ = "ritual_records"
    __table_args__ = (Index("ix_ritual_records_lookup", "community_id", "ritual", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[str] = mapped_column(String(64))
    ritual: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AddressMoveRow(Base):
    """A space that moved on its platform; later sends go to the new address."""

    __tablename__ = "address_moves"
    community_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    old_address: Mapped[str] = mapped_column(String(128), primary_key=True)
    new_address: Mapped[str] = mapped_column(String(128))
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)


class OccurrenceRow(Base):
    """One firing of a scheduled ritual; the unique key is what stops a double fire.

    `state`: claimed (to run), done, skipped (too late to fire) or failed (its `attempts` ran
    out; `last_error` says why)."""

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("community_id", "ritual", "scheduled_at"),
        Index("ix_occurrences_done", "state", "done_at"),
        Index("ix_occurrences_retention", "community_id", "state", "scheduled_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[str] = mapped_column(String(64))
    ritual: Mapped[str] = mapped_column(String(64))
    scheduled_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="claimed")
    claimed_by: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class DeliveryRow(Base):
    """The outbox: one rendered part for one destination, and its fate."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_state", "state", "updated_at"),
        Index("ix_deliveries_platform_message", "platform", "platform_message_id"),
        Index("ix_deliveries_retention", "community_id", "state", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(512), unique=True)
    community_id: Mapped[str] = mapped_column(String(64), index=True)
    ritual: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(128))
    private: Mapped[bool] = mapped_column(default=False)
    space: Mapped[str | None] = mapped_column(String(64))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    part: Mapped[int] = mapped_column(default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    permanent: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    platform_status: Mapped[str | None] = mapped_column(String(16))
    """What the platform last reported of the sent message (delivered, read, failed…)."""
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    forget_when_sent: Mapped[bool] = mapped_column(default=False)
    """A goodbye to a member who was forgotten: once sent (or failed), its address and text go."""
    next_part: Mapped[bool] = mapped_column(default=False)
    """A later part of the same message is `waiting` for this one to be sent."""

    def destination(self) -> Destination:
        """Where this delivery goes, as the senders see it."""
        return Destination(
            community_id=self.community_id,
            platform=self.platform,
            address=self.address,
            private=self.private,
            member_id=self.member_id,
            space=self.space,
        )


class InboxRow(Base):
    """An inbound event, kept before the platform is told it arrived, until it is processed.

    `state`: pending (waiting for or in the pipeline), done, or dead (it failed `attempts`
    times: a dead letter, listed by `hub inbox` for the owner, with the last error). A done row
    keeps no payload: what the member wrote lives on only where rituals keep it.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("community_id", "event_id"),
        Index("ix_inbox_state", "state", "updated_at"),
        Index("ix_inbox_user", "community_id", "user_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(255))
    platform: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    """Who acted: what forget-me finds their rows by."""
    kind: Mapped[str] = mapped_column(String(32))
    event: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
