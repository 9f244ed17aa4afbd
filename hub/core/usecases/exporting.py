"""Export-me: what the hub keeps about a member in rituals, for `/hub export-me`.

Their own records, other members' records that name them (`about_you`), and in every ritual's
state their member records and what names them (`member_records.about`).
"""

from __future__ import annotations

from typing import Any

from hub.core.model import member_records, member_refs
from hub.core.ports import UnitOfWork
from hub.core.ports.records_store import StoredRecord
from hub.core.usecases.ritual_state import StateModels


def exported_records(uow: UnitOfWork, member_id: int, models: StateModels) -> dict[str, Any]:
    """`records`, `about_you` and `rituals` (what each ritual's state keeps about them)."""
    naming = [r for r in uow.records.others(member_id) if member_refs.names(r.data, member_id)]
    return {
        "records": [_plain(r) for r in uow.records.of(member_id)],
        "about_you": [_plain(r) for r in naming],
        "rituals": _in_states(uow, member_id, models),
    }


def _in_states(uow: UnitOfWork, member_id: int, models: StateModels) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, data in uow.states.every().items():
        model = models.get(name)
        about = member_records.about(model.model_validate(data), member_id) if model else {}
        if about:
            found[name] = about
    return found


def _plain(record: StoredRecord) -> dict[str, Any]:
    return {
        "ritual": record.ritual,
        "kind": record.kind,
        "at": record.created_at.isoformat(),
        **record.data,
    }
