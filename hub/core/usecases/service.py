"""The hub's use cases as the workers and the CLI call them: a thin facade.

`handle_event` is the inbound pipeline (`hub.core.usecases.inbound`), `run_occurrence` and
`preview_occurrence` the occurrences' runs (`hub.core.usecases.occurrence_runs`); both go
through the ritual runner (`hub.core.usecases.runner`). Each runs in one unit of work and
returns the ids of the deliveries to hand to the sender.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from hub.core.model.community import CommunityRuntime
from hub.core.model.events import Event
from hub.core.ports import Clock, Renderer
from hub.core.ports.inbound_store import PlannedDelivery
from hub.core.usecases.inbound import InboundPipeline
from hub.core.usecases.occurrence_runs import OccurrenceRuns
from hub.core.usecases.reports import DeliveryNotYetRecorded
from hub.core.usecases.runner import MAX_FOLLOW_UP_DEPTH
from hub.core.usecases.turn import Wiring

__all__ = ["MAX_FOLLOW_UP_DEPTH", "DeliveryNotYetRecorded", "HubService", "Preview"]

Preview = PlannedDelivery
"""One delivery a dry run would have planned (`hub ritual preview`)."""


class HubService:
    """Runs rituals for every community and writes their outbox."""

    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring

    @property
    def communities(self) -> Mapping[str, CommunityRuntime]:
        """The communities it runs rituals for."""
        return self.wiring.communities

    @property
    def renderers(self) -> Mapping[tuple[str, str], Renderer]:
        """The renderers by (community, platform); a test may put its own platform in."""
        return self.wiring.renderers

    @renderers.setter
    def renderers(self, renderers: Mapping[tuple[str, str], Renderer]) -> None:
        self.wiring = replace(self.wiring, renderers=renderers)

    @property
    def clock(self) -> Clock:
        """What time it is for the use cases; a test may set it."""
        return self.wiring.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.wiring = replace(self.wiring, clock=clock)

    def handle_event(self, event: Event) -> list[int]:
        """Run the rituals that hear an inbound event, once, however often it is delivered."""
        return InboundPipeline(self.wiring).handle(event)

    def run_occurrence(self, occurrence_id: int) -> list[int]:
        """Run a claimed occurrence; a failure is re-raised for the queue to retry."""
        return OccurrenceRuns(self.wiring).run(occurrence_id)

    def preview_occurrence(self, community_id: str, ritual: str) -> list[Preview]:
        """What firing `ritual` now would send; nothing is kept."""
        return OccurrenceRuns(self.wiring).preview(community_id, ritual)
