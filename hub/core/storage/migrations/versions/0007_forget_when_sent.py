"""Forget-me leaves nothing behind: a goodbye delivery forgets its address and text once sent,
and the points ledger no longer holds the words of a kudos (they live in the kudos record).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RECORDS = sa.table(
    "ritual_records",
    sa.column("id", sa.Integer),
    sa.column("ritual", sa.String),
    sa.column("kind", sa.String),
    sa.column("data", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column("forget_when_sent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    connection = op.get_bind()
    ledger = connection.execute(
        sa.select(RECORDS.c.id, RECORDS.c.data).where(
            RECORDS.c.ritual == "points", RECORDS.c.kind == "points"
        )
    ).all()
    for row in ledger:
        if row.data.get("rule") == "kudos_received" and row.data.get("reason") != "kudos":
            connection.execute(
                RECORDS.update()
                .where(RECORDS.c.id == row.id)
                .values(data={**row.data, "reason": "kudos"})
            )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("forget_when_sent")
