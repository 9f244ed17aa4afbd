"""Linking and forget-me as use cases, against the in-memory unit of work: every ritual's
member records are rewritten by the core, and rituals hear only what changed."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.core.model.domain import Identity
from hub.core.model.events import MemberForgotten, MembersMerged, RecordsRewritten
from hub.core.model.ritual import ForgetMember, MergeMembers, Record
from hub.core.usecases import effects
from hub.core.usecases.exporting import exported_records
from hub.rituals.points import PointsState
from hub.rituals.poll import PollState
from hub.rituals.profile import ProfileState
from tests.fakes.unit_of_work import FakeUnitOfWork

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
MODELS = {"points": PointsState, "poll": PollState, "profile": ProfileState}
STEP = effects.Step(ritual="link", cause="event:webchat:9", now=NOW, models=MODELS)
ZOE = Identity(platform="telegram", user_id="42", display_name="Zoé")
ZOE_DC = Identity(platform="discord", user_id="77", display_name="zoe")
ANA = Identity(platform="webchat", user_id="u-ana", display_name="Ana")


def community() -> FakeUnitOfWork:
    """Zoé on Telegram (1) and on Discord (2), Ana (3); points, a poll, an introduction."""
    uow = FakeUnitOfWork("inside-freelancing")
    uow.people.members = {1: ("Zoé", (ZOE,)), 2: ("zoe", (ZOE_DC,)), 3: ("Ana", (ANA,))}
    uow.states.data = {
        "points": {"totals": {"all": {"1": 5, "2": 3, "3": 1}}, "badges": {"2": ["Un"]}},
        "poll": {"polls": {"12": {"votes": {"2": 1, "3": 0}, "shown": {"1": 1, "0": 1}}}},
        "profile": {"introduced": [3]},
        "retired": {"names": [2]},  # a ritual no longer in the catalogue: left as it is
    }
    uow.records.add("shoutout", [Record(kind="nomination", member_id=3, data={"member": 2})], NOW)
    uow.records.add("points", [Record(kind="points", member_id=2, data={"points": 3})], NOW)
    return uow


def test_a_link_combines_every_rituals_member_records_and_says_which_changed() -> None:
    uow = community()
    follow_ups = effects.apply(uow, MergeMembers(kept=1, merged=2), STEP)
    assert [type(e) for e in follow_ups] == [MembersMerged, RecordsRewritten, RecordsRewritten]
    assert [e.ritual for e in follow_ups if isinstance(e, RecordsRewritten)] == ["points", "poll"]
    assert uow.states.data["points"]["totals"]["all"] == {"1": 8, "3": 1}
    assert uow.states.data["points"]["badges"] == {"1": ["Un"]}
    assert uow.states.data["poll"]["polls"]["12"]["votes"] == {"3": 0, "1": 1}
    assert uow.states.data["retired"] == {"names": [2]}
    assert [(r.member_id, dict(r.data)) for r in uow.records.kept] == [
        (3, {"member": 1}),
        (1, {"points": 3}),
    ]
    assert uow.people.done == ["merge 2 into 1"]


def test_forget_me_leaves_nothing_of_the_member_in_states_or_records() -> None:
    uow = community()
    (forgotten, *rewritten) = effects.apply(uow, ForgetMember(member_id=2), STEP)
    assert isinstance(forgotten, MemberForgotten) and forgotten.accounts == (ZOE_DC,)
    assert forgotten.event_id == "event:webchat:9:forget"
    assert {e.ritual for e in rewritten if isinstance(e, RecordsRewritten)} == {"points", "poll"}
    assert uow.states.data["points"]["totals"]["all"] == {"1": 5, "3": 1}
    assert uow.states.data["points"]["badges"] == {}
    assert uow.states.data["poll"]["polls"]["12"]["votes"] == {"3": 0}
    assert uow.records.kept == []  # theirs, and Ana's nomination of them
    assert uow.people.done == ["erase 2 but event:webchat:9", "scrub 2"]


def test_forgetting_someone_unknown_changes_nothing() -> None:
    uow = community()
    (forgotten,) = effects.apply(uow, ForgetMember(member_id=99), STEP)
    assert isinstance(forgotten, MemberForgotten) and forgotten.accounts == ()
    assert uow.people.done == []


def test_export_me_reads_the_members_records_in_every_rituals_state() -> None:
    exported = exported_records(community(), 2, MODELS)
    assert exported["rituals"] == {
        "points": {"totals.all.2": 3, "badges.2": ["Un"]},
        "poll": {"polls.12.votes.2": 1},
    }
    assert [r["kind"] for r in exported["records"]] == ["points"]
    assert [r["kind"] for r in exported["about_you"]] == ["nomination"]
