"""The ritual runner alone, against the in-memory unit of work: a savepoint per ritual, the
follow-up depth limit, commands routed to their verb's owner, manual firings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import pytest
from structlog.testing import capture_logs

from hub.core.model.events import CommandInvoked, Event, RitualSignalled
from hub.core.model.messages import Outbound, SpaceTarget
from hub.core.model.richtext import parse_markup
from hub.core.model.ritual import (
    Effect,
    FireRitual,
    Occurrence,
    RitualContext,
    RitualResult,
    SetProfile,
    Signal,
)
from hub.core.usecases.causes import Cause
from hub.core.usecases.inbound import InboundPipeline
from hub.core.usecases.keeping import EffectStep
from hub.core.usecases.runner import MAX_FOLLOW_UP_DEPTH, RitualRunner
from tests.core.pipeline.support import (
    NOW,
    TestRitual,
    command,
    message,
    runtime_of,
    turn_of,
    uow_of,
    wiring_of,
)
from tests.fakes.keeper import FakeKeeper


def say(key: str) -> Outbound:
    return Outbound(key=key, target=SpaceTarget(space="main"), body=parse_markup(key))


class Talker(TestRitual):
    """Says something on every message; notes every event it hears."""

    name: ClassVar[str] = "talker"

    def __init__(self, effect: Effect | None = None) -> None:
        self.heard: list[Event] = []
        self.effect = effect

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        self.heard.append(event)
        effects = (self.effect,) if self.effect else ()
        return RitualResult(outbound=(say(f"{self.name}:said"),), effects=effects)


class Other(Talker):
    name: ClassVar[str] = "other"


class Crasher(TestRitual):
    name: ClassVar[str] = "crasher"

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        raise RuntimeError("a bug in one ritual")

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        raise RuntimeError("a bug in one occurrence")


class FailingEffects(FakeKeeper):
    """A keeper that cannot carry out a `SetProfile`: the ritual asking it fails after planning."""

    def apply(self, uow: Any, effect: Effect, step: EffectStep) -> list[Event]:
        if isinstance(effect, SetProfile):
            raise RuntimeError("the effect failed")
        return super().apply(uow, effect, step)


def cause(key: str = "event:webchat:m1") -> Cause:
    return Cause(key=key, seed=key)


def test_a_ritual_that_fails_after_planning_loses_its_own_deliveries_only(tmp_path: Path) -> None:
    broken, fine = Talker(SetProfile(member_id=1, fields={})), Other()
    wiring = wiring_of(runtime_of(tmp_path, broken, fine), keeper=FailingEffects())
    with capture_logs() as logs:
        ids = RitualRunner(turn_of(wiring)).on_event(cause(), message("hi"))
    kept = uow_of(wiring).sent.deliveries
    assert [d.ritual for d in kept] == ["other"] and ids == [d.id for d in kept]
    assert [e["ritual"] for e in logs if e["event"] == "ritual.failed"] == ["talker"]


def test_a_ritual_that_raises_does_not_stop_the_others(tmp_path: Path) -> None:
    wiring = wiring_of(runtime_of(tmp_path, Crasher(), Other()))
    RitualRunner(turn_of(wiring)).on_event(cause(), message("hi"))
    assert [d.ritual for d in uow_of(wiring).sent.deliveries] == ["other"]


def test_an_occurrence_failure_and_a_storage_error_are_raised(tmp_path: Path) -> None:
    wiring = wiring_of(runtime_of(tmp_path, Crasher(), Other()))
    ticket = uow_of(wiring).occurrences.claim("crasher", NOW)
    with pytest.raises(RuntimeError, match="occurrence"):
        RitualRunner(turn_of(wiring)).on_occurrence(ticket)
    fatal = replace(wiring, fatal=(RuntimeError,))
    with pytest.raises(RuntimeError, match="one ritual"):
        RitualRunner(turn_of(fatal)).on_event(cause(), message("hi"))


class Ping(TestRitual):
    """Answers every signal (and the first message) with a signal of its own: a loop."""

    name: ClassVar[str] = "ping"

    def __init__(self) -> None:
        self.signals: list[str] = []

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        if isinstance(event, RitualSignalled):
            self.signals.append(event.name)
        return RitualResult(effects=(Signal(name=f"s{len(self.signals)}", member_id=1),))


def test_signals_that_answer_each_other_stop_at_the_depth_limit(tmp_path: Path) -> None:
    ping = Ping()
    wiring = wiring_of(runtime_of(tmp_path, ping))
    with capture_logs() as logs:
        RitualRunner(turn_of(wiring)).on_event(cause(), message("hi"))
    assert len(ping.signals) == MAX_FOLLOW_UP_DEPTH
    dropped = [e for e in logs if e["event"] == "ritual.follow_up_dropped"]
    assert [e["depth"] for e in dropped] == [MAX_FOLLOW_UP_DEPTH + 1]


class Owner(Talker):
    name: ClassVar[str] = "owner"
    commands: ClassVar[dict[str, dict[str, str]]] = {"mine": {"en": "a verb of mine"}}


class Help(Talker):
    name: ClassVar[str] = "help"
    commands: ClassVar[dict[str, dict[str, str]]] = {"help": {"en": "the verbs"}}


def test_only_the_owner_of_a_verb_sees_its_command(tmp_path: Path) -> None:
    owner, bystander, help_ = Owner(), Talker(), Help()
    wiring = wiring_of(runtime_of(tmp_path, owner, bystander, help_))
    runner = RitualRunner(turn_of(wiring))
    runner.on_event(cause(), command("mine", "now"))
    runner.on_event(cause("event:webchat:c2"), command("nobodys", event_id="c2"))
    runner.on_event(cause("event:webchat:m1"), message("hi"))
    assert [type(e).__name__ for e in owner.heard] == ["CommandInvoked", "MessageReceived"]
    assert [type(e).__name__ for e in bystander.heard] == ["MessageReceived"]
    unclaimed = [e for e in help_.heard if isinstance(e, CommandInvoked)]
    assert [e.name for e in unclaimed] == ["nobodys"]  # an unknown verb still gets its answer


class Firer(TestRitual):
    name: ClassVar[str] = "firer"

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        return RitualResult(effects=(FireRitual(ritual="scheduled"),))


class Scheduled(TestRitual):
    name: ClassVar[str] = "scheduled"

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        assert occurrence.manual
        return RitualResult(outbound=(say(f"scheduled:{occurrence.id}"),))


def test_firing_a_ritual_by_hand_runs_a_manual_occurrence_in_the_same_unit_of_work(
    tmp_path: Path,
) -> None:
    wiring = wiring_of(runtime_of(tmp_path, Firer(), Scheduled()))
    ids = RitualRunner(turn_of(wiring)).on_event(cause(), message("hi"))
    uow = uow_of(wiring)
    (row,) = uow.occurrences.rows.values()
    assert row.state == "done" and row.ticket.manual
    assert ids == [d.id for d in uow.sent.deliveries]
    assert uow.sent.deliveries[0].idempotency_key.startswith(f"occurrence:{row.ticket.id}|")


def test_the_pipeline_runs_an_event_once_and_ignores_unknown_communities(tmp_path: Path) -> None:
    talker = Talker()
    pipeline = InboundPipeline(wiring_of(runtime_of(tmp_path, talker)))
    assert pipeline.handle(message("hi")) == [1]
    assert pipeline.handle(message("hi")) == []
    assert pipeline.handle(replace(message("hi", event_id="m9"), community_id="elsewhere")) == []
    assert len(talker.heard) == 1
