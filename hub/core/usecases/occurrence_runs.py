"""Occurrences through the ritual runner: a claimed one run once, a preview never kept.

An occurrence's community is not known before its row is read: its attempt record
(`hub.core.ports.attempts_store`) says it, and counts the attempts, each in a transaction of its
own, before the community's unit of work opens. A failure is re-raised for
the queue to retry, until the last attempt (`occurrences.MAX_ATTEMPTS`).
"""

from __future__ import annotations

import structlog

from hub.core.ports.inbound_store import PlannedDelivery
from hub.core.usecases import occurrences
from hub.core.usecases.runner import RitualRunner
from hub.core.usecases.turn import Turn, Wiring

log = structlog.get_logger(__name__)


class OccurrenceRuns:
    """Runs and previews occurrences for every community."""

    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring

    def run(self, occurrence_id: int) -> list[int]:
        """Run a claimed occurrence; running it again does nothing. After its last failed
        attempt: [] (the occurrence is `failed`)."""
        attempts, clock = self.wiring.attempts, self.wiring.clock
        if not occurrences.begin_attempt(attempts, occurrence_id, clock()):
            return []
        try:
            return self._attempt(occurrence_id)
        except Exception as error:
            if occurrences.record_failure(attempts, occurrence_id, error, clock()):
                return []
            raise

    def _attempt(self, occurrence_id: int) -> list[int]:
        community_id = occurrences.community_of(self.wiring.attempts, occurrence_id)
        if community_id is None:
            return []
        now = self.wiring.clock()
        with self.wiring.units.transaction(community_id) as uow:
            ticket = uow.occurrences.take_claimed(occurrence_id, now)
            if ticket is None:
                return []
            runtime = self.wiring.communities.get(community_id)
            if runtime is None or runtime.ritual(ticket.ritual) is None:
                log.warning(
                    "occurrence.unknown_ritual", community=community_id, ritual=ticket.ritual
                )
                return []
            return RitualRunner(Turn.open(self.wiring, uow, runtime, now)).on_occurrence(ticket)

    def preview(self, community_id: str, ritual: str) -> list[PlannedDelivery]:
        """What firing `ritual` now would send, rendered per destination; nothing is kept.
        Held and skipped deliveries are shown too."""
        runtime = self.wiring.communities[community_id]
        if runtime.ritual(ritual) is None:
            raise KeyError(ritual)
        now = self.wiring.clock()
        with self.wiring.units.rehearsal(community_id) as uow:
            ticket = uow.occurrences.add_manual(ritual, now, done=False)
            cause = f"preview:{ticket.id}"
            RitualRunner(Turn.open(self.wiring, uow, runtime, now)).on_occurrence(ticket, cause)
            return uow.sent.of_cause(cause)
