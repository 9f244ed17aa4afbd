"""Linking two members into one person: every row and every record of `gone` is `kept`'s.

Accounts, memberships and deliveries move (`uow.people`); the append-only records move and
those naming `gone` now name `kept` (`member_refs`); each ritual's member records combine as
its state model declares (`member_records.merged`).
"""

from __future__ import annotations

from datetime import datetime

from hub.core.model import member_records, member_refs
from hub.core.ports import UnitOfWork
from hub.core.usecases.ritual_state import StateModels, rewrite_all


def merge_members(
    uow: UnitOfWork, kept: int, gone: int, models: StateModels, now: datetime
) -> tuple[str, ...]:
    """One person, two members: `gone` becomes `kept`. Returns the rituals whose state changed."""
    if kept == gone:
        return ()
    uow.people.merge(kept, gone)
    uow.records.reassign(gone, kept)
    uow.records.rewrite(lambda record: member_refs.renamed(record.data, gone, kept))
    return rewrite_all(uow, models, lambda state: member_records.merged(state, kept, gone), now)
