"""What the use cases are built with, and what one unit of work's steps share.

`Wiring` is handed over once by the composition root; a `Turn` is one community's unit of work
at one moment, with its planner: every pipeline step and the ritual runner take one, so none
needs more than a few parameters and a test builds one over the in-memory unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from hub.core.model.community import CommunityRuntime
from hub.core.ports import Capabilities, Clock, Renderer, UnitOfWork, UnitsOfWork, utcnow
from hub.core.ports.attempts_store import OccurrenceAttempts
from hub.core.usecases.keeping import Keeper, OutboxPlanner


@dataclass(frozen=True, slots=True, kw_only=True)
class Wiring:
    """The use cases' collaborators, built once per process (`hub.bootstrap`)."""

    units: UnitsOfWork
    communities: Mapping[str, CommunityRuntime]
    renderers: Mapping[tuple[str, str], Renderer]
    keeper: Keeper
    attempts: OccurrenceAttempts
    clock: Clock = field(default=utcnow)
    fatal: tuple[type[Exception], ...] = ()
    """Errors that end the whole unit of work instead of one ritual's run, for it to be retried:
    the storage's (the composition root passes SQLAlchemy's `DBAPIError`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Turn:
    """One community's unit of work at one moment, and its outbox planner."""

    uow: UnitOfWork
    runtime: CommunityRuntime
    now: datetime
    wiring: Wiring
    planner: OutboxPlanner

    @classmethod
    def open(
        cls, wiring: Wiring, uow: UnitOfWork, runtime: CommunityRuntime, now: datetime
    ) -> Turn:
        """The turn of `uow`, with its planner."""
        planner = wiring.keeper.planner(uow, runtime, wiring.renderers, now)
        return cls(uow=uow, runtime=runtime, now=now, wiring=wiring, planner=planner)

    @property
    def community_id(self) -> str:
        """The community this turn works for."""
        return self.runtime.community.id

    def capabilities(self, platform: str) -> Capabilities | None:
        """What the community's platform can do (None when it is not configured)."""
        renderer = self.wiring.renderers.get((self.community_id, platform))
        return None if renderer is None else renderer.capabilities
