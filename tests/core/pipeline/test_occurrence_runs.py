"""Occurrences through the runner, against the in-memory unit of work: run once, attempts
counted, an unknown ritual's occurrence closed, a preview that keeps nothing."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from hub.core.model.messages import Outbound, SpaceTarget
from hub.core.model.richtext import parse_markup
from hub.core.model.ritual import Occurrence, RitualContext, RitualResult
from hub.core.usecases.occurrence_runs import OccurrenceRuns
from hub.core.usecases.occurrences import MAX_ATTEMPTS
from hub.core.usecases.turn import Wiring
from tests.core.pipeline.support import COMMUNITY, NOW, TestRitual, runtime_of, uow_of, wiring_of
from tests.fakes.repositories.attempts import FakeOccurrenceAttempts
from tests.fakes.repositories.attempts import claimed as claimed_record


class Weekly(TestRitual):
    name: ClassVar[str] = "weekly"

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        body = parse_markup(f"slot {occurrence.slot or '-'}")
        return RitualResult(
            outbound=(Outbound(key="weekly:post", target=SpaceTarget(space="main"), body=body),)
        )


class Broken(TestRitual):
    name: ClassVar[str] = "broken"

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        raise RuntimeError("broken ritual")


def claimed(wiring: Wiring, ritual: str, attempts: int = 0) -> int:
    ticket = uow_of(wiring).occurrences.claim(ritual, NOW)
    record = claimed_record(ticket.id, attempts, community_id=COMMUNITY, ritual=ritual)
    assert isinstance(wiring.attempts, FakeOccurrenceAttempts)
    wiring.attempts.records[ticket.id] = record
    return ticket.id


def test_a_claimed_occurrence_runs_once(tmp_path: Path) -> None:
    wiring = wiring_of(runtime_of(tmp_path, Weekly()))
    runs = OccurrenceRuns(wiring)
    occurrence = claimed(wiring, "weekly:monday")
    assert runs.run(occurrence) == [1]
    assert runs.run(occurrence) == []
    (delivery,) = uow_of(wiring).sent.deliveries
    assert delivery.idempotency_key.startswith(f"occurrence:{occurrence}|weekly:post|")


def test_an_occurrence_of_a_ritual_no_longer_enabled_is_closed(tmp_path: Path) -> None:
    wiring = wiring_of(runtime_of(tmp_path, Weekly()))
    occurrence = claimed(wiring, "gone")
    assert OccurrenceRuns(wiring).run(occurrence) == []
    assert uow_of(wiring).occurrences.rows[occurrence].state == "done"


def test_a_failing_occurrence_is_raised_for_the_queue_until_its_last_attempt(
    tmp_path: Path,
) -> None:
    wiring = wiring_of(runtime_of(tmp_path, Broken()))
    runs = OccurrenceRuns(wiring)
    occurrence = claimed(wiring, "broken", attempts=MAX_ATTEMPTS - 2)
    with pytest.raises(RuntimeError):
        runs.run(occurrence)
    assert uow_of(wiring).occurrences.rows[occurrence].state == "claimed"  # rolled back
    assert runs.run(occurrence) == []  # the last attempt: given up, not raised
    assert isinstance(wiring.attempts, FakeOccurrenceAttempts)
    assert wiring.attempts.records[occurrence].last_error == "RuntimeError: broken ritual"
    assert runs.run(occurrence) == []  # no attempt left: never runs again


def test_a_preview_shows_the_deliveries_and_keeps_nothing(tmp_path: Path) -> None:
    wiring = wiring_of(runtime_of(tmp_path, Weekly()))
    (preview,) = OccurrenceRuns(wiring).preview(COMMUNITY, "weekly")
    assert (preview.address, preview.state) == ("main", "queued")
    uow = uow_of(wiring)
    assert uow.sent.deliveries == [] and uow.occurrences.rows == {}
    with pytest.raises(KeyError):
        OccurrenceRuns(wiring).preview(COMMUNITY, "not-enabled")
