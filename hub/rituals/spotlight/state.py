"""What the spotlight keeps: the queue of turns, who paused or left, who was asked.

All of it names members, so the core renames it on a link and drops it on forget-me. After a
link the person keeps one turn, the earlier of the two (with its place in the round); they are
paused if either account was, gone only if both had left.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, Field

from hub.core.model.member_records import Combine, MemberRef, RitualState


class Turn(BaseModel):
    """A member's place in the queue, and whether they had their turn this round."""

    member: MemberRef
    done: bool = False


class Asked(BaseModel):
    """The member asked for the next publication, and what they answered."""

    member: MemberRef
    pitch: str | None = None
    link: str | None = None


class SpotlightState(RitualState):
    """The rotation, as kept between runs."""

    turns: list[Turn] = Field(default_factory=list)
    off: list[MemberRef] = Field(default_factory=list)
    left: Annotated[list[MemberRef], Combine.BOTH] = Field(default_factory=list)
    asked: Asked | None = None
    ask_open: bool = False
    """Someone was asked for the next publication (still true if the core dropped `asked`:
    the one asked was forgotten, and the next member must be asked)."""

    @property
    def queue(self) -> list[int]:
        """The members in their order."""
        return [turn.member for turn in self.turns]

    @property
    def done(self) -> list[int]:
        """Those who had their turn this round, in queue order."""
        return [turn.member for turn in self.turns if turn.done]

    def after_merge(self) -> Self:
        """One turn per person: the earlier one."""
        first = {turn.member: turn for turn in reversed(self.turns)}
        turns = [turn for turn in self.turns if first[turn.member] is turn]
        return self.model_copy(update={"turns": turns})
