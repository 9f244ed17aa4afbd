"""The core's one mechanism for member records in typed ritual state: linking merges them,
forget-me removes them, export-me finds them, by the state's types alone."""

from __future__ import annotations

from typing import Annotated

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from hub.core.model.member_records import (
    Combine,
    KeptFirst,
    MemberRef,
    RitualState,
    Summed,
    United,
    about,
    forgotten,
    merged,
)


class Nomination(BaseModel):
    by: MemberRef
    member: MemberRef | None = None
    url: str | None = None
    why: str = ""


class Asked(BaseModel):
    member: MemberRef
    pitch: str | None = None


class Example(RitualState):
    totals: Summed[int] = Field(default_factory=dict)
    weeks: dict[str, Summed[int]] = Field(default_factory=dict)
    counts: Summed[dict[str, int]] = Field(default_factory=dict)
    badges: United[list[str]] = Field(default_factory=dict)
    votes: KeptFirst[int] = Field(default_factory=dict)
    queue: list[MemberRef] = Field(default_factory=list)
    left: Annotated[list[MemberRef], Combine.BOTH] = Field(default_factory=list)
    nominations: list[Nomination] = Field(default_factory=list)
    asked: Asked | None = None
    title: str = "kept as is"


STATE = Example(
    totals={7: 10, 9: 5, 3: 1},
    weeks={"2026-W48": {9: 2}},
    counts={7: {"message": 2}, 9: {"message": 1, "kudos": 1}},
    badges={7: ["Pilier"], 9: ["Premier pas", "Pilier"]},
    votes={7: 0, 9: 1, 3: 1},
    queue=[3, 9, 7],
    left=[9],
    nominations=[Nomination(by=3, member=9, why="merci"), Nomination(by=9, url="https://a.org")],
    asked=Asked(member=9, pitch="hello"),
)


def test_a_link_combines_each_record_as_its_type_says() -> None:
    state = merged(STATE, kept=7, gone=9)
    assert state.totals == {7: 15, 3: 1}
    assert state.weeks == {"2026-W48": {7: 2}}
    assert state.counts == {7: {"message": 3, "kudos": 1}}
    assert state.badges == {7: ["Pilier", "Premier pas"]}
    assert state.votes == {7: 0, 3: 1}  # the kept member's vote counts


def test_a_link_renames_references_and_keeps_one_place_in_a_list() -> None:
    state = merged(STATE, kept=7, gone=9)
    assert state.queue == [3, 7]  # the earlier of the two places
    assert state.left == []  # present: one of the two accounts was
    assert [(n.by, n.member) for n in state.nominations] == [(3, 7), (7, None)]
    assert state.asked == Asked(member=7, pitch="hello")
    assert state.title == "kept as is"


def test_a_list_marked_both_keeps_the_person_only_if_both_accounts_were_in_it() -> None:
    assert merged(Example(left=[7, 9]), kept=7, gone=9).left == [7]
    assert merged(Example(left=[9]), kept=7, gone=9).left == []


def test_forget_me_removes_their_records_and_every_object_naming_them() -> None:
    state = forgotten(STATE, 9)
    assert state.totals == {7: 10, 3: 1}
    assert state.weeks == {"2026-W48": {}}
    assert 9 not in state.counts and 9 not in state.badges and 9 not in state.votes
    assert state.queue == [3, 7]
    assert state.left == []
    assert state.nominations == []  # one of them, one by them
    assert state.asked is None
    assert "9" not in Example.model_dump_json(state).replace('"2026-W48"', "")


def test_export_finds_what_the_state_keeps_about_the_member() -> None:
    found = about(STATE, 9)
    assert found["totals.9"] == 5
    assert found["weeks.2026-W48.9"] == 2
    assert found["votes.9"] == 1
    assert found["queue"] == "listed"
    assert found["nominations.0"]["why"] == "merci"
    assert found["nominations.1"]["url"] == "https://a.org"
    assert found["asked"] == {"member": 9, "pitch": "hello"}
    assert about(STATE, 42) == {}


def test_state_saved_as_json_loads_back_with_member_ids_as_numbers() -> None:
    loaded = Example.model_validate_json(STATE.model_dump_json())
    assert loaded == STATE
    assert Example.model_validate({"totals": {"7": 3}, "unknown": 1}).totals == {7: 3}


def test_a_ritual_folds_what_a_link_made_repeat() -> None:
    class Folding(RitualState):
        queue: list[MemberRef] = Field(default_factory=list)
        pairs: list[Nomination] = Field(default_factory=list)

        def after_merge(self) -> Folding:
            return self.model_copy(update={"pairs": [p for p in self.pairs if p.by != p.member]})

    state = merged(Folding(pairs=[Nomination(by=7, member=9)]), kept=7, gone=9)
    assert state.pairs == []


IDS = st.integers(min_value=1, max_value=4)
NOMINATIONS = st.builds(Nomination, by=IDS, member=st.none() | IDS, why=st.just("x"))
STATES = st.builds(
    Example,
    totals=st.dictionaries(IDS, st.integers(0, 9)),
    weeks=st.dictionaries(st.sampled_from(["W1", "W2"]), st.dictionaries(IDS, st.integers(0, 9))),
    counts=st.dictionaries(IDS, st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 9))),
    badges=st.dictionaries(IDS, st.lists(st.sampled_from(["Un", "Deux"]), unique=True)),
    votes=st.dictionaries(IDS, st.integers(0, 2)),
    queue=st.lists(IDS, unique=True),
    left=st.lists(IDS, unique=True),
    nominations=st.lists(NOMINATIONS, max_size=4),
    asked=st.none() | st.builds(Asked, member=IDS),
)


@given(STATES, IDS)
def test_after_forget_me_nothing_in_any_state_is_about_the_member(state: Example, who: int) -> None:
    assert about(forgotten(state, who), who) == {}


@given(STATES, IDS, IDS)
def test_after_a_link_nothing_names_the_merged_member_and_totals_add_up(
    state: Example, kept: int, gone: int
) -> None:
    after = merged(state, kept=kept, gone=gone)
    if kept != gone:
        assert about(after, gone) == {}
    assert sum(after.totals.values()) == sum(state.totals.values())
    assert len(after.queue) == len(set(after.queue))
