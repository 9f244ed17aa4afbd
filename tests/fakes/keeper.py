"""A keeper and a planner in memory: what the ritual runner hands to other areas, faked.

The planner writes each planned message as a delivery in the unit of work's `sent` repository,
so a savepoint that is undone undoes it too; ritual state lives in the keeper itself."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from hub.core.model.community import CommunityRuntime, EnabledRitual
from hub.core.model.deliveries import DeliveryState
from hub.core.model.domain import Identity
from hub.core.model.events import Event
from hub.core.model.member_records import RitualState
from hub.core.model.messages import Outbound, SpaceTarget
from hub.core.model.ritual import Effect, RitualResult, Signal
from hub.core.ports import Renderer
from hub.core.usecases import effects
from hub.core.usecases.keeping import EffectStep
from tests.fakes.unit_of_work import FakeUnitOfWork


class FakePlanner:
    """Plans one delivery per message, to the space's name or the member's id."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def plan(self, ritual: str, cause: str, outbound: Outbound) -> list[int]:
        """One queued delivery."""
        target = outbound.target
        address = target.space if isinstance(target, SpaceTarget) else str(target.member_id)
        delivery = self.uow.sent.add(
            ritual=ritual,
            platform="webchat",
            address=address,
            idempotency_key=f"{cause}|{outbound.key}|{address}|0",
        )
        return [delivery.id]

    def skip_pending(self, platform: str, address: str, reason: str) -> int:
        """Queued deliveries to the account are skipped."""
        pending = self._to(platform, address, DeliveryState.QUEUED.value)
        for delivery in pending:
            delivery.state, delivery.last_error = DeliveryState.SKIPPED.value, reason
        return len(pending)

    def release_held(self, platform: str, address: str, keep: timedelta) -> list[int]:
        """Held deliveries to the account are queued again."""
        held = self._to(platform, address, DeliveryState.HELD.value)
        for delivery in held:
            delivery.state = DeliveryState.QUEUED.value
        return [d.id for d in held]

    def plan_erasure(self, ritual: str, cause: str, account: Identity) -> list[int]:
        """One erasure delivery."""
        delivery = self.uow.sent.add(
            ritual=ritual,
            platform=account.platform,
            address=account.user_id,
            idempotency_key=f"{cause}|erase|{account.user_id}|0",
        )
        return [delivery.id]

    def _to(self, platform: str, address: str, state: str) -> list[Any]:
        return [
            d
            for d in self.uow.sent.deliveries
            if (d.platform, d.address, d.state) == (platform, address, state)
        ]


class FakeKeeper:
    """Ritual states in a dict; effects other than signals are only noted."""

    def __init__(self) -> None:
        self.states: dict[tuple[str, str], RitualState] = {}
        self.effects: list[Effect] = []

    def state(self, uow: Any, enabled: EnabledRitual) -> RitualState:
        """The state last kept, else the ritual's defaults."""
        kept = self.states.get((uow.community_id, enabled.name))
        return kept if kept is not None else enabled.ritual.state_model()

    def keep(self, uow: Any, enabled: EnabledRitual, result: RitualResult, now: datetime) -> None:
        """Keep the new state."""
        if result.state is not None:
            self.states[(uow.community_id, enabled.name)] = result.state

    def apply(self, uow: Any, effect: Effect, step: EffectStep) -> list[Event]:
        """A signal becomes its follow-up event, as the core makes it; other effects are only
        noted (their own tests are the records area's)."""
        self.effects.append(effect)
        if not isinstance(effect, Signal):
            return []
        where = effects.Step(ritual=step.ritual, cause=step.cause, now=step.now, models={})
        return list(effects.apply(uow, effect, where))

    def planner(
        self,
        uow: Any,
        runtime: CommunityRuntime,
        renderers: Mapping[tuple[str, str], Renderer],
        now: datetime,
    ) -> FakePlanner:
        """The fake planner of this unit of work."""
        return FakePlanner(uow)
