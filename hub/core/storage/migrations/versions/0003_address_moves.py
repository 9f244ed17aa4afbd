"""Spaces that moved on their platform (a Telegram group upgraded to a supergroup).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "address_moves",
        sa.Column("community_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("old_address", sa.String(length=128), nullable=False),
        sa.Column("new_address", sa.String(length=128), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "platform", "old_address"),
    )


def downgrade() -> None:
    op.drop_table("address_moves")
