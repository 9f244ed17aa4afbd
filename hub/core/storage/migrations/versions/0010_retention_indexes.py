"""Retention indexes: an idle retention pass reads no rows, however many a community keeps.

Retention deletes, per community, finished rows older than a period. Without an index that
starts with the community and ends with the row's time, each pass walked every row the
community keeps (30 days of processed events, 90 days of deliveries, 180 days of occurrences)
to find none to delete. The processed events' index on the time alone served only retention:
the new one replaces it.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_processed_events_retention", "processed_events", ["community_id", "received_at"]),
    ("ix_deliveries_retention", "deliveries", ["community_id", "state", "updated_at"]),
    ("ix_occurrences_retention", "occurrences", ["community_id", "state", "scheduled_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.drop_index("ix_processed_events_received", "processed_events")


def downgrade() -> None:
    op.create_index("ix_processed_events_received", "processed_events", ["received_at"])
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table)
