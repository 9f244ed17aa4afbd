"""An in-memory fake of the people repository (see `hub.core.ports.people_store`)."""

from __future__ import annotations

from hub.core.model.domain import Identity
from hub.core.model.traces import Traces


class FakePeople:
    """Members by id with their accounts; what was merged, erased and scrubbed, in order."""

    def __init__(self) -> None:
        self.members: dict[int, tuple[str, tuple[Identity, ...]]] = {}
        self.done: list[str] = []

    def merge(self, kept: int, gone: int) -> None:
        _, accounts = self.members.pop(gone)
        self.members[kept] = (self.members[kept][0], (*self.members[kept][1], *accounts))
        self.done.append(f"merge {gone} into {kept}")

    def traces(self, member_id: int) -> Traces | None:
        if member_id not in self.members:
            return None
        name, accounts = self.members[member_id]
        names = tuple(dict.fromkeys([name, *(a.display_name for a in accounts)]))
        return Traces(member_id=member_id, accounts=accounts, names=names)

    def erase(self, member_id: int, farewell_cause: str) -> None:
        del self.members[member_id]
        self.done.append(f"erase {member_id} but {farewell_cause}")

    def scrub(self, traces: Traces) -> None:
        self.done.append(f"scrub {traces.member_id}")
