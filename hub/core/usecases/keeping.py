"""What the ritual runner and the inbound pipeline hand to other areas, behind one seam.

Ritual state and records, the core's effects and the outbox planner are reached through
`Keeper`, so the runner and the pipeline steps are tested alone, with a fake keeper that notes
what they asked (`tests/fakes/keeper.py`); `UnitKeeper` is the real one, over any unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from hub.core.model.community import CommunityRuntime, EnabledRitual
from hub.core.model.domain import Identity
from hub.core.model.events import Event
from hub.core.model.member_records import RitualState
from hub.core.model.messages import Outbound
from hub.core.model.ritual import Effect, RitualResult
from hub.core.ports import Renderer, UnitOfWork
from hub.core.usecases import effects, ritual_state
from hub.core.usecases.planning import Planner


class OutboxPlanner(Protocol):
    """The outbox planner's public API (`hub.core.usecases.planning.Planner`)."""

    def plan(self, ritual: str, cause: str, outbound: Outbound) -> list[int]:
        """Write the deliveries of one outbound message; the ids of those still to send."""
        ...

    def skip_pending(self, platform: str, address: str, reason: str) -> int:
        """Nothing waiting for this account will be sent; how many."""
        ...

    def release_held(self, platform: str, address: str, keep: timedelta) -> list[int]:
        """What was held for the account goes now, unless held longer than `keep`."""
        ...

    def plan_erasure(self, ritual: str, cause: str, account: Identity) -> list[int]:
        """Ask the account's platform to erase what it keeps of them, once."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class EffectStep:
    """Where an effect comes from: the ritual that asked, the cause, the moment, the community."""

    ritual: str
    cause: str
    now: datetime
    runtime: CommunityRuntime


class Keeper(Protocol):
    """Keeps what a ritual decided, inside the caller's unit of work."""

    def state(self, uow: UnitOfWork, enabled: EnabledRitual) -> RitualState:
        """The ritual's typed state, locked until the unit of work ends."""
        ...

    def keep(
        self, uow: UnitOfWork, enabled: EnabledRitual, result: RitualResult, now: datetime
    ) -> None:
        """Save the decision's new state (if any) and its records."""
        ...

    def apply(self, uow: UnitOfWork, effect: Effect, step: EffectStep) -> list[Event]:
        """Carry out one effect (not `FireRitual`, the runner's); what rituals must hear of it."""
        ...

    def planner(
        self,
        uow: UnitOfWork,
        runtime: CommunityRuntime,
        renderers: Mapping[tuple[str, str], Renderer],
        now: datetime,
    ) -> OutboxPlanner:
        """The outbox planner of this unit of work."""
        ...


class UnitKeeper:
    """The keeper over any unit of work: typed ritual state and records through its
    repositories, effects through `hub.core.usecases.effects`, the planner `planning.Planner`."""

    def state(self, uow: UnitOfWork, enabled: EnabledRitual) -> RitualState:
        """The ritual's typed state, locked until the unit of work ends."""
        return ritual_state.load(uow, enabled.ritual)

    def keep(
        self, uow: UnitOfWork, enabled: EnabledRitual, result: RitualResult, now: datetime
    ) -> None:
        """Save the decision's new state (if any) and its records."""
        if result.state is not None:
            ritual_state.save(uow, enabled.name, result.state, now)
        uow.records.add(enabled.name, result.records, now)

    def apply(self, uow: UnitOfWork, effect: Effect, step: EffectStep) -> list[Event]:
        """`effects.apply`, with the state models of the community's rituals (the core
        rewrites their member records on a link or a forget-me)."""
        models = step.runtime.state_models()
        where = effects.Step(ritual=step.ritual, cause=step.cause, now=step.now, models=models)
        return list(effects.apply(uow, effect, where))

    def planner(
        self,
        uow: UnitOfWork,
        runtime: CommunityRuntime,
        renderers: Mapping[tuple[str, str], Renderer],
        now: datetime,
    ) -> OutboxPlanner:
        """The outbox planner (`planning.Planner`)."""
        return Planner(uow, runtime, renderers, now)
