"""The rituals' `Directory` port over the unit of work's members."""

from __future__ import annotations

from typing import Any

from hub.core.model.domain import Member
from hub.core.model.mentions import match_members
from hub.core.model.ritual import member_data
from hub.core.ports import UnitOfWork
from hub.core.usecases.exporting import exported_records
from hub.core.usecases.ritual_state import StateModels


class MemberDirectory:
    """Members as a ritual looks them up, inside the caller's unit of work.

    Every member is loaded once per decision, on first use (most events never ask)."""

    def __init__(self, uow: UnitOfWork, models: StateModels) -> None:
        self.uow = uow
        self.models = models
        self._all: list[Member] | None = None

    def member(self, member_id: int) -> Member | None:
        """The member with that id in this community, if any."""
        return self.uow.members.get(member_id)

    def members(self) -> list[Member]:
        """Every member of the community, oldest first."""
        if self._all is None:
            self._all = self.uow.members.everyone()
        return list(self._all)

    def find(self, token: str, platform: str) -> list[Member]:
        """The members a command argument may mean."""
        return match_members(token, platform, self.members())

    def export(self, member_id: int) -> dict[str, Any]:
        """Everything kept about the member: card, accounts, spaces, their ritual records,
        other members' records that name them (`about_you`) and, in every ritual's state
        (`models`), their member records (`rituals`)."""
        member = self.member(member_id)
        if member is None:
            return {}
        spaces = self.uow.members.spaces_of(member_id)
        return {
            **member_data(member),
            "spaces": [{"platform": platform, "space": space} for platform, space in spaces],
            **exported_records(self.uow, member_id, self.models),
        }
