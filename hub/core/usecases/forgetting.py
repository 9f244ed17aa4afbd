"""Forgetting a member at their request (`/hub forget-me`): their rows and every trace of them.

Their own rows go: the member, accounts, space memberships, records, deliveries. Then the traces
elsewhere: records of other members that name them (see `member_refs`) are deleted, list entries
naming them left out; every ritual's state loses their member records and what names them
(`member_records.forgotten`); deliveries whose text names them or carries one of their account
ids are scrubbed (and skipped while still waiting to be sent); processed-event ids and inbound
events that carry one of their account ids are dropped. The goodbye message is kept to be sent,
and scrubs itself once it is. Decision 013 says what is deleted and what is anonymised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.core.model import member_records, member_refs
from hub.core.model.domain import Identity
from hub.core.ports import UnitOfWork
from hub.core.ports.records_store import StoredRecord
from hub.core.usecases.ritual_state import StateModels, rewrite_all


@dataclass(frozen=True, slots=True, kw_only=True)
class Forgotten:
    """What forget-me found: the accounts the member had, and the rituals whose state changed."""

    accounts: tuple[Identity, ...] = ()
    rituals: tuple[str, ...] = ()


def forget_member(
    uow: UnitOfWork, member_id: int, farewell_cause: str, models: StateModels, now: datetime
) -> Forgotten:
    """Delete the member and every trace of them.

    Deliveries planned by `farewell_cause` for them (the confirmation they were forgotten) are
    kept, detached from the member, to be sent, and scrub themselves once they are."""
    traces = uow.people.traces(member_id)
    if traces is None:
        return Forgotten()
    uow.records.rewrite(lambda record: _without(record, member_id))
    uow.people.erase(member_id, farewell_cause)
    rituals = rewrite_all(
        uow, models, lambda state: member_records.forgotten(state, member_id), now
    )
    uow.people.scrub(traces)
    return Forgotten(accounts=traces.accounts, rituals=rituals)


def _without(record: StoredRecord, member_id: int) -> Mapping[str, Any] | None:
    """Their records, and others' naming them: deleted; list entries naming them: left out."""
    if record.member_id == member_id or member_refs.names(record.data, member_id):
        return None
    return member_refs.without(record.data, member_id)  # type: ignore[no-any-return]
