"""What the ritual runner and the inbound pipeline hand to other areas, behind one seam.

Ritual state and records, the core's effects (the "records" area) and the outbox planner (the
"storage" area) are reached through `Keeper`, so the runner and the pipeline are tested against
the in-memory unit of work with a fake keeper. `SessionKeeper` is today's keeper: it calls those
areas as they are, through the temporary bridge (`session_of`); every such call is here, for the
integrator to rewire to the records area's repositories (issue 13).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from hub.core.model.community import CommunityRuntime, EnabledRitual
from hub.core.model.domain import Identity
from hub.core.model.events import Event
from hub.core.model.messages import Outbound
from hub.core.model.ritual import Effect, RitualResult
from hub.core.ports import Renderer, UnitOfWork
from hub.core.usecases import effects
from hub.core.usecases.bridge import session_of
from hub.core.usecases.planning import Planner
from hub.core.usecases.ritual_state import add_records, load_state_for_update, save_state


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

    def state(self, uow: UnitOfWork, enabled: EnabledRitual) -> Mapping[str, Any]:
        """The ritual's state, locked until the unit of work ends."""
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


class SessionKeeper:
    """The keeper over the SQL unit of work, calling the other areas as they are today."""

    def state(self, uow: UnitOfWork, enabled: EnabledRitual) -> Mapping[str, Any]:
        """`ritual_state.load_state_for_update`, through the bridge."""
        return load_state_for_update(session_of(uow), uow.community_id, enabled.name).data

    def keep(
        self, uow: UnitOfWork, enabled: EnabledRitual, result: RitualResult, now: datetime
    ) -> None:
        """`ritual_state.save_state` and `add_records`, through the bridge."""
        session = session_of(uow)
        if result.state is not None:
            row = load_state_for_update(session, uow.community_id, enabled.name)
            save_state(row, result.state, now)
        add_records(session, uow.community_id, enabled.name, result.records, now)

    def apply(self, uow: UnitOfWork, effect: Effect, step: EffectStep) -> list[Event]:
        """`effects.apply`, through the bridge."""
        session, community = session_of(uow), uow.community_id
        event = effects.apply(session, community, step.ritual, effect, step.cause, step.now)
        return [] if event is None else [event]

    def planner(
        self,
        uow: UnitOfWork,
        runtime: CommunityRuntime,
        renderers: Mapping[tuple[str, str], Renderer],
        now: datetime,
    ) -> OutboxPlanner:
        """The planner's facade (`planning.Planner`)."""
        return Planner(uow, runtime, renderers, now)
