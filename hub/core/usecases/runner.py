"""The ritual runner: runs rituals on one cause, then on what they signalled.

Each ritual's decision is carried out in a savepoint (decision 020), so a ritual that raises
loses its own work only; an owner's broken text is logged and skipped; storage errors
(`Wiring.fatal`) end the whole unit of work, for it to be retried. What rituals signal (a badge after points, a member
merged or forgotten) is heard by every ritual in turn, to `MAX_FOLLOW_UP_DEPTH`: past it a
chain is dropped, since two rituals signalling each other would never end. Events, occurrences
(scheduled, fired by hand, previewed) all run through here.
"""

from __future__ import annotations

from dataclasses import replace

import structlog

from hub.core.model.community import EnabledRitual, split_occurrence_name
from hub.core.model.events import Event, MemberForgotten
from hub.core.model.ritual import NOTHING, Effect, FireRitual, Occurrence
from hub.core.model.templates import TemplateError
from hub.core.ports.outbox_store import OccurrenceTicket
from hub.core.usecases.causes import (
    Audience,
    Cause,
    Decide,
    Ran,
    audience_of,
    on_event,
    on_occurrence,
    ritual_context,
    ritual_failed,
    signalled_member,
    text_failed,
)
from hub.core.usecases.directory import MemberDirectory
from hub.core.usecases.keeping import EffectStep
from hub.core.usecases.turn import Turn

log = structlog.get_logger(__name__)
MAX_FOLLOW_UP_DEPTH = 2  # a signal may cause a signal (a badge after points), not a loop


class RitualRunner:
    """Runs rituals within one turn (one community's unit of work, at one moment)."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn

    def on_event(self, cause: Cause, event: Event) -> list[int]:
        """Let the rituals that hear `event` decide on it (a command: only its verb's owner)."""
        return self._run_all(self.turn.runtime.hearing(event), cause, on_event(event))

    def on_occurrence(self, ticket: OccurrenceTicket, cause_key: str | None = None) -> list[int]:
        """Run one occurrence's ritual (its slot named by the ticket). Its failure is its own:
        it is raised, for the occurrence's attempts to count it."""
        enabled = self.turn.runtime.ritual(ticket.ritual)
        if enabled is None:
            return []
        name, slot = split_occurrence_name(ticket.ritual)
        occurrence = Occurrence(
            id=ticket.id,
            ritual=name,
            scheduled_at=ticket.scheduled_at,
            manual=ticket.manual,
            slot=slot,
        )
        seed = f"{self.turn.community_id}:{ticket.ritual}:{ticket.scheduled_at}"
        cause = Cause(key=cause_key or occurrence.cause, seed=seed)
        return self._run_all((enabled,), cause, on_occurrence(occurrence), strict=True)

    def _run_all(
        self,
        rituals: tuple[EnabledRitual, ...],
        cause: Cause,
        decide: Decide,
        depth: int = 0,
        strict: bool = False,
    ) -> list[int]:
        """Run `rituals` on one cause, then what they signalled. Unless `strict`, a ritual that
        raises loses its own work only."""
        ran = Ran()
        audience = self._audience(cause)
        for enabled in rituals:
            one = self._guarded(enabled, cause, decide, audience, strict)
            ran.ids += one.ids
            ran.follow_ups += one.follow_ups
            if one.changed_members:  # the next ritual reads members afresh
                audience = replace(audience, directory=self._directory())
        return ran.ids + self._follow_up(cause, ran.follow_ups, depth)

    def _audience(self, cause: Cause) -> Audience:
        turn = self.turn
        return audience_of(turn.runtime, cause, turn.now, self._directory())

    def _directory(self) -> MemberDirectory:
        """The members as rituals see them, afresh; export-me reads every ritual's records."""
        return MemberDirectory(self.turn.uow, self.turn.runtime.state_models())

    def _guarded(
        self,
        enabled: EnabledRitual,
        cause: Cause,
        decide: Decide,
        audience: Audience,
        strict: bool,
    ) -> Ran:
        """One ritual's run; what goes wrong in it stays in it (see the module's docstring)."""
        try:
            return self._run_one(enabled, cause, decide, audience)
        except TemplateError as error:  # an owner's text: the other rituals still run
            text_failed(enabled.name, cause.key, error)
            return Ran()
        except Exception as error:
            if strict or isinstance(error, self.turn.wiring.fatal):
                raise
            ritual_failed(enabled.name, cause.key, error)
            return Ran(changed_members=True)

    def _run_one(
        self, enabled: EnabledRitual, cause: Cause, decide: Decide, audience: Audience
    ) -> Ran:
        """One ritual's decision, carried out in a savepoint: all of it stays, or none."""
        turn, keeper = self.turn, self.turn.wiring.keeper
        state = keeper.state(turn.uow, enabled)
        result = decide(enabled.ritual, ritual_context(enabled, cause, state, audience))
        if result == NOTHING:  # most rituals ignore most events: spare the savepoint
            return Ran()
        ran = Ran(changed_members=bool(result.effects))
        with turn.uow.savepoint():
            keeper.keep(turn.uow, enabled, result, turn.now)
            for message in result.outbound:
                ran.ids += turn.planner.plan(enabled.name, cause.key, message)
            for effect in result.effects:
                ran.ids += self._apply(enabled.name, cause, effect, ran.follow_ups)
        return ran

    def _follow_up(self, cause: Cause, follow_ups: list[Event], depth: int) -> list[int]:
        """Let every ritual hear what the rituals signalled, to MAX_FOLLOW_UP_DEPTH."""
        if follow_ups and depth >= MAX_FOLLOW_UP_DEPTH:
            for event in follow_ups:
                log.warning("ritual.follow_up_dropped", chain=event.event_id, depth=depth + 1)
            return []
        ids: list[int] = []
        for event in follow_ups:
            member = signalled_member(self.turn.uow, event)
            then = replace(cause, key=event.event_id, member=member, actor=None, replied_to=None)
            hearing = self.turn.runtime.hearing(event)
            ids += self._run_all(hearing, then, on_event(event), depth + 1)
        return ids

    def _apply(
        self, ritual: str, cause: Cause, effect: Effect, follow_ups: list[Event]
    ) -> list[int]:
        """Carry out a ritual's effect; what rituals must hear of it joins `follow_ups`."""
        if isinstance(effect, FireRitual):
            return self._fire(effect.ritual)
        turn = self.turn
        step = EffectStep(ritual=ritual, cause=cause.key, now=turn.now, runtime=turn.runtime)
        heard = turn.wiring.keeper.apply(turn.uow, effect, step)
        follow_ups += heard
        forgotten = [event for event in heard if isinstance(event, MemberForgotten)]
        return [i for event in forgotten for i in self._erase_copies(ritual, cause.key, event)]

    def _erase_copies(self, ritual: str, cause: str, forgotten: MemberForgotten) -> list[int]:
        """Where a platform's copy of the member lives in the hub's own store (the webchat's
        Redis), forget-me reaches it too: one erasure per such account, through the outbox."""
        ids: list[int] = []
        for account in forgotten.accounts:
            capabilities = self.turn.capabilities(account.platform)
            if capabilities is not None and capabilities.keeps_member_data:
                ids += self.turn.planner.plan_erasure(ritual, cause, account)
        return ids

    def _fire(self, ritual: str) -> list[int]:
        """An owner's `/hub run RITUAL`: a manual occurrence, run in this unit of work."""
        if self.turn.runtime.ritual(ritual) is None:
            return []
        ticket = self.turn.uow.occurrences.add_manual(ritual, self.turn.now, done=True)
        return self.on_occurrence(ticket)
