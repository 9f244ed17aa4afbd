"""The rotation's rules: who comes next, newcomers, pauses, a member moved by an owner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hub.core.model.domain import Member
from hub.rituals.spotlight.state import Asked, SpotlightState, Turn


@dataclass(slots=True, kw_only=True)
class Rotation:
    """The queue and its round, loaded from the state, changed, then dumped back."""

    queue: list[int]
    done: set[int]
    off: set[int]
    left: set[int]
    asked: Asked | None

    @classmethod
    def load(cls, state: SpotlightState) -> Rotation:
        """The rotation a state describes (a copy: changing it leaves the state as it was)."""
        return cls(
            queue=list(state.queue),
            done=set(state.done),
            off=set(state.off),
            left=set(state.left),
            asked=state.asked.model_copy() if state.asked else None,
        )

    def dump(self) -> SpotlightState:
        """The state to keep."""
        return SpotlightState(
            turns=[Turn(member=i, done=i in self.done) for i in self.queue],
            off=sorted(self.off),
            left=sorted(self.left),
            asked=self.asked,
            ask_open=self.asked is not None,
        )

    @property
    def asked_id(self) -> int | None:
        return None if self.asked is None else self.asked.member

    def answer_of(self, member_id: int) -> Asked | None:
        """What the member answered to our ask, if they were the one asked."""
        return self.asked if self.asked_id == member_id else None

    def sync(self, members: Sequence[Member]) -> dict[int, Member]:
        """Follow the directory: drop who is gone, add newcomers at the end of this round.
        Returns the members still in the rotation, by id."""
        everyone = {m.id for m in members}
        self.off &= everyone
        self.left &= everyone
        present = {m.id: m for m in members if m.id not in self.left}
        self.queue = [i for i in self.queue if i in present]
        self.done &= set(self.queue)
        if self.asked_id is not None and self.asked_id not in present:
            self.asked = None
        queued = set(self.queue)
        newcomers = [m.id for m in members if m.id in present and m.id not in queued]
        self._insert(self._waiting_count(), newcomers)
        return present

    def _waiting_count(self) -> int:
        return len(self.queue) - len(self.done)

    def _insert(self, index: int, ids: list[int]) -> None:
        self.queue[index:index] = ids

    def eligible(self, member_id: int, present: Mapping[int, Member]) -> bool:
        member = present.get(member_id)
        return member is not None and member.reachable and member_id not in self.off

    def on_stage(self, present: Mapping[int, Member]) -> Member | None:
        """Who is published now: the member asked, else (never asked, or no longer eligible)
        the first eligible member still waiting this round."""
        asked = self.asked_id
        if asked is not None and self.eligible(asked, present):
            return present[asked]
        first = self._first_waiting(present, exclude=None)
        return None if first is None else present[first]

    def _first_waiting(self, present: Mapping[int, Member], exclude: int | None) -> int | None:
        return next(
            (
                i
                for i in self.queue
                if i not in self.done and i != exclude and self.eligible(i, present)
            ),
            None,
        )

    def choose(self, present: Mapping[int, Member], exclude: int | None) -> int | None:
        """The next member to ask; a new round starts once every eligible member had a turn."""
        waiting = self._first_waiting(present, exclude)
        if waiting is not None:
            return waiting
        again = next((i for i in self.queue if i != exclude and self.eligible(i, present)), None)
        if again is not None:
            self.done = set()
        return again

    def take_turn(self, member_id: int) -> None:
        """Featured, or passed: to the very end, done for this round."""
        self.queue.remove(member_id)
        self.queue.append(member_id)
        self.done.add(member_id)

    def ask(self, member_id: int) -> None:
        """Asked for the next publication: first in line, until it is published."""
        self.queue.remove(member_id)
        self.queue.insert(0, member_id)
        self.asked = Asked(member=member_id)

    def upcoming(self) -> list[int]:
        """The queue as owners see and number it: everyone after the member already asked."""
        return [i for i in self.queue if i != self.asked_id]

    def place(self, member_id: int, position: int) -> int:
        """Put a member at `position` (1-based) of `upcoming`; returns where they landed. They
        stay in this round if they land among those still waiting, else in the next one."""
        order = [i for i in self.upcoming() if i != member_id]
        self.done.discard(member_id)
        waiting = sum(1 for i in order if i not in self.done)
        index = min(max(position, 1) - 1, len(order))
        order.insert(index, member_id)
        if index > waiting:
            self.done.add(member_id)
        head = [] if self.asked_id is None else [self.asked_id]
        self.queue = head + order
        return index + 1

    def leave(self, member_id: int) -> None:
        """Out of the queue (the pause wish, if any, is kept for a return)."""
        if member_id in self.queue:
            self.queue.remove(member_id)
        self.done.discard(member_id)
        if self.asked_id == member_id:
            self.asked = None
