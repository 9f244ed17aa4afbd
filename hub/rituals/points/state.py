"""What the points ritual keeps: running totals, today's counts, badges, recent messages.

All of it is member records: a link adds two people's totals and counts up and joins their
badges; a forget-me removes the member's entries and the messages they wrote (the ledger of
`points` records stays the truth; these are running sums of it).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from hub.core.model.member_records import MemberRef, RitualState, Summed, United


class Totals(BaseModel):
    """Points all-time, and per week and month key (`2026-W48`, `2026-11`)."""

    all: Summed[int] = Field(default_factory=dict)
    weeks: dict[str, Summed[int]] = Field(default_factory=dict)
    months: dict[str, Summed[int]] = Field(default_factory=dict)


class Today(BaseModel):
    """How many times each member earned each rule today (the community's calendar day)."""

    day: str | None = None
    counts: Summed[dict[str, int]] = Field(default_factory=dict)


class Authored(BaseModel):
    """A recent message: who wrote it, and who already reacted to it."""

    message: str
    author: MemberRef
    reactors: list[MemberRef] = Field(default_factory=list)


class PointsState(RitualState):
    """The running totals, today's counts, the badges won and the recent messages."""

    totals: Totals = Field(default_factory=Totals)
    today: Today = Field(default_factory=Today)
    badges: United[list[str]] = Field(default_factory=dict)
    authors: list[Authored] = Field(default_factory=list)
