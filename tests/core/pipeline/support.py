"""What the pipeline's and the runner's tests build on: a community with test rituals, wired
to the in-memory unit of work, the fake keeper and stub renderers (a platform's capabilities)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from hub.bootstrap import load_config
from hub.core.config.models import RitualSection
from hub.core.model.community import CommunityRuntime, build_runtime
from hub.core.model.deliveries import Destination
from hub.core.model.domain import Identity
from hub.core.model.events import CommandInvoked, MessageReceived
from hub.core.model.member_records import RitualState
from hub.core.model.messages import Outbound
from hub.core.model.ritual import NOTHING, Occurrence, Ritual, RitualContext, RitualResult
from hub.core.ports import Capabilities
from hub.core.usecases.turn import Turn, Wiring
from tests.builders import write_config
from tests.fakes.keeper import FakeKeeper
from tests.fakes.repositories.attempts import FakeOccurrenceAttempts
from tests.fakes.unit_of_work import FakeUnitOfWork, FakeUnitsOfWork

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
COMMUNITY = "inside-freelancing"
ZOE = Identity(platform="webchat", user_id="u-zoe", display_name="Zoé")


class TestRitual:
    """The shape every ritual has; always on, so `build_runtime` enables it."""

    __test__ = False
    name: ClassVar[str] = "test"
    config_model: ClassVar[type[RitualSection]] = RitualSection
    default_texts: ClassVar[Mapping[str, Mapping[str, str]]] = {"en": {}}
    commands: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    admin_commands: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    always_on: ClassVar[bool] = True
    state_model: ClassVar[type[RitualState]] = RitualState

    def on_event(self, ctx: RitualContext, event: Any) -> RitualResult:
        return NOTHING

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        return NOTHING


@dataclass
class StubRenderer:
    """A platform as the pipeline sees it: its capabilities (it renders nothing here)."""

    capabilities: Capabilities

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        return []


def capabilities(**overrides: Any) -> Capabilities:
    return Capabilities(**{"max_text_length": 4000, "markup": "markdown", **overrides})


def runtime_of(tmp_path: Path, *rituals: Ritual) -> CommunityRuntime:
    """The builders' community, with only `rituals` enabled."""
    (loaded,) = load_config(write_config(tmp_path))
    return build_runtime(loaded.config, {r.name: r for r in rituals})


def wiring_of(
    runtime: CommunityRuntime,
    platform: Capabilities | None = None,
    keeper: FakeKeeper | None = None,
) -> Wiring:
    renderers = {} if platform is None else {(COMMUNITY, "webchat"): StubRenderer(platform)}
    return Wiring(
        units=FakeUnitsOfWork(),
        communities={COMMUNITY: runtime},
        renderers=renderers,
        keeper=keeper or FakeKeeper(),
        attempts=FakeOccurrenceAttempts(),
        clock=lambda: NOW,
    )


def turn_of(wiring: Wiring) -> Turn:
    """The community's turn over its in-memory unit of work."""
    uow = uow_of(wiring)
    return Turn.open(wiring, uow, wiring.communities[COMMUNITY], NOW)


def uow_of(wiring: Wiring) -> FakeUnitOfWork:
    units = wiring.units
    assert isinstance(units, FakeUnitsOfWork)
    return units.of(COMMUNITY)


def message(text: str, event_id: str = "m1", **fields: Any) -> MessageReceived:
    return MessageReceived(
        event_id=event_id,
        community_id=COMMUNITY,
        platform="webchat",
        space=fields.pop("space", "main"),
        actor=fields.pop("actor", ZOE),
        occurred_at=NOW,
        text=text,
        message_id=fields.pop("message_id", f"pm-{event_id}"),
        **fields,
    )


def command(name: str, *args: str, event_id: str = "c1") -> CommandInvoked:
    return CommandInvoked(
        event_id=event_id,
        community_id=COMMUNITY,
        platform="webchat",
        space="main",
        actor=ZOE,
        occurred_at=NOW,
        name=name,
        args=args,
    )
