"""Opt-in lists (WhatsApp): space memberships, opt-outs, and platform delivery statuses.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "space_members",
        sa.Column("community_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("community_id", "platform", "space", "user_id"),
    )
    op.create_index("ix_space_members_member_id", "space_members", ["member_id"])
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("platform_status", sa.String(length=16), nullable=True))
    op.create_index(
        "ix_deliveries_platform_message", "deliveries", ["platform", "platform_message_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_platform_message", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("platform_status")
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("opted_out_at")
    op.drop_index("ix_space_members_member_id", table_name="space_members")
    op.drop_table("space_members")
