"""The inbox: inbound events kept before they are acknowledged; retention indexes.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("community_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("community_id", "event_id"),
    )
    op.create_index("ix_inbox_state", "inbox", ["state", "updated_at"])
    op.create_index("ix_inbox_user", "inbox", ["community_id", "user_id"])
    op.create_index("ix_processed_events_received", "processed_events", ["received_at"])
    op.create_index("ix_occurrences_done", "occurrences", ["state", "done_at"])


def downgrade() -> None:
    op.drop_index("ix_occurrences_done", "occurrences")
    op.drop_index("ix_processed_events_received", "processed_events")
    op.drop_index("ix_inbox_user", "inbox")
    op.drop_index("ix_inbox_state", "inbox")
    op.drop_table("inbox")
