"""Initial schema: members, identities, events, ritual state, occurrences, deliveries.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 01:31:17.048626
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_members_community_id"), ["community_id"], unique=False)

    op.create_table(
        "occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.String(length=64), nullable=False),
        sa.Column("ritual", sa.String(length=64), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "ritual", "scheduled_at"),
    )
    op.create_table(
        "processed_events",
        sa.Column("community_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "event_id"),
    )
    op.create_table(
        "ritual_states",
        sa.Column("community_id", sa.String(length=64), nullable=False),
        sa.Column("ritual", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "ritual"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=512), nullable=False),
        sa.Column("community_id", sa.String(length=64), nullable=False),
        sa.Column("ritual", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=128), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("space", sa.String(length=64), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("platform_message_id", sa.String(length=128), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deliveries_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deliveries_member_id"), ["member_id"], unique=False)
        batch_op.create_index("ix_deliveries_state", ["state", "updated_at"], unique=False)

    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("reachable", sa.Boolean(), nullable=False),
        sa.Column("unreachable_reason", sa.String(length=500), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "platform", "user_id"),
    )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identities_member_id"), ["member_id"], unique=False)

    op.create_table(
        "ritual_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.String(length=64), nullable=False),
        sa.Column("ritual", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ritual_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ritual_records_lookup", ["community_id", "ritual", "kind"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ritual_records_member_id"), ["member_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("ritual_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ritual_records_member_id"))
        batch_op.drop_index("ix_ritual_records_lookup")

    op.drop_table("ritual_records")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identities_member_id"))

    op.drop_table("identities")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_state")
        batch_op.drop_index(batch_op.f("ix_deliveries_member_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_community_id"))

    op.drop_table("deliveries")
    op.drop_table("ritual_states")
    op.drop_table("processed_events")
    op.drop_table("occurrences")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_community_id"))

    op.drop_table("members")
