"""Loading and saving ritual state and records, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.model.ritual import Record
from hub.core.storage.orm import RitualRecordRow, RitualStateRow
from hub.core.storage.sql import insert_if_absent


def load_state_for_update(session: Session, community_id: str, ritual: str) -> RitualStateRow:
    """The ritual's state row, locked until the transaction ends (created if absent)."""
    insert_if_absent(
        session,
        RitualStateRow.__table__,  # type: ignore[arg-type]
        {"community_id": community_id, "ritual": ritual, "version": 0, "data": {}},
    )
    row = session.scalars(
        select(RitualStateRow)
        .where(RitualStateRow.community_id == community_id, RitualStateRow.ritual == ritual)
        .with_for_update()
    ).one()
    return row


def save_state(row: RitualStateRow, state: Mapping[str, Any], now: datetime) -> None:
    """Replace the state and bump its version."""
    row.data = dict(state)
    row.version += 1
    row.updated_at = now


def add_records(
    session: Session, community_id: str, ritual: str, records: tuple[Record, ...], now: datetime
) -> None:
    """Append a ritual's records."""
    for record in records:
        session.add(
            RitualRecordRow(
                community_id=community_id,
                ritual=ritual,
                kind=record.kind,
                member_id=record.member_id,
                data=dict(record.data),
                created_at=now,
            )
        )
