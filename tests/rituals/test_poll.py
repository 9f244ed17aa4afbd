from dataclasses import replace

from hub.core.model.domain import Identity
from hub.core.model.events import ButtonClicked, RecordsRewritten
from hub.core.model.member_records import forgotten, merged
from hub.core.model.messages import Replaces, SpaceTarget
from hub.core.model.richtext import plain_text
from hub.core.model.ritual import NOTHING, Occurrence, RitualResult
from hub.rituals.poll import Poll, PollConfig, PollState
from tests.rituals.conftest import COMMUNITY, NOW, context, js, member

POLL = Poll()
FR = Poll.default_texts["fr"]
CONFIG = PollConfig(
    schedule="0 9 * * FRI",
    spaces=["main", "annonces"],
    question="Apéro jeudi ?",
    options=["Oui", "Non"],
)


def click(value: str, who_id: int = 7) -> ButtonClicked:
    who = member(who_id)
    return ButtonClicked(
        event_id=f"b{who_id}{value}",
        community_id=COMMUNITY.id,
        platform="webchat",
        space="main",
        actor=who.identities[0],
        occurred_at=NOW,
        action="vote",
        value=value,
    )


def posted() -> PollState:
    result = POLL.on_occurrence(
        context(CONFIG, FR), Occurrence(id=12, ritual="poll", scheduled_at=NOW)
    )
    assert [o.target for o in result.outbound] == [
        SpaceTarget(space="main"),
        SpaceTarget(space="annonces"),
    ]
    assert [b.value for b in result.outbound[0].buttons] == ["12:0", "12:1"]
    assert "Oui — 0 vote" in plain_text(result.outbound[0].body)
    assert isinstance(result.state, PollState)
    return result.state


def test_a_vote_edits_every_copy_with_the_new_tally() -> None:
    state = posted()
    result = POLL.on_event(context(CONFIG, FR, state=state, who=member(7)), click("12:0"))
    (edit,) = result.outbound
    assert edit.replaces == Replaces(cause="occurrence:12", key="poll")
    text = plain_text(edit.body)
    assert "Oui — 1 vote" in text and "Non — 0 vote" in text and "1 participant" in text


def test_a_member_can_change_their_vote_but_not_vote_twice() -> None:
    state = posted()
    first = POLL.on_event(context(CONFIG, FR, state=state, who=member(7)), click("12:0"))
    assert first.state is not None
    again = POLL.on_event(context(CONFIG, FR, state=first.state, who=member(7)), click("12:0"))
    assert again.outbound == ()
    changed = POLL.on_event(context(CONFIG, FR, state=first.state, who=member(7)), click("12:1"))
    text = plain_text(changed.outbound[0].body)
    assert "Oui — 0 vote" in text and "Non — 1 vote" in text


def test_votes_for_unknown_polls_or_choices_are_ignored() -> None:
    state = posted()
    ctx = context(CONFIG, FR, state=state, who=member(7))
    for value in ("99:0", "12:5", "12:x", "garbage"):
        assert POLL.on_event(ctx, click(value)).outbound == ()
    assert POLL.on_event(ctx, replace(click("12:0"), action="rsvp")).outbound == ()


def followed(state: PollState, ritual: str = "poll") -> RitualResult:
    """What the poll does once the core rewrote its state (a link, a forget-me)."""
    rewritten = RecordsRewritten(
        event_id="x:merge:poll",
        ritual=ritual,
        community_id=COMMUNITY.id,
        platform="hub",
        space=None,
        actor=Identity(platform="hub", user_id="hub", display_name="hub"),
        occurred_at=NOW,
    )
    return POLL.on_event(context(CONFIG, FR, state=state), rewritten)


def voted(*votes: tuple[int, str]) -> PollState:
    state = posted()
    for who, value in votes:
        result = POLL.on_event(context(CONFIG, FR, state=state, who=member(who)), click(value, who))
        assert isinstance(result.state, PollState)
        state = result.state
    return state


def test_after_a_link_one_person_has_one_vote_the_kept_members() -> None:
    state = voted((7, "12:0"), (9, "12:1"), (8, "12:1"))
    result = followed(merged(state, kept=7, gone=9))
    assert result.state is not None
    assert js(result.state)["polls"]["12"]["votes"] == {"7": 0, "8": 1}
    (edit,) = result.outbound
    assert edit.replaces == Replaces(cause="occurrence:12", key="poll")
    assert "2 participants" in plain_text(edit.body)


def test_a_merged_members_vote_counts_for_the_kept_one_who_had_not_voted() -> None:
    state = merged(voted((9, "12:1")), kept=7, gone=9)
    assert js(state)["polls"]["12"]["votes"] == {"7": 1}
    assert followed(state) == NOTHING  # the same tally: nothing to edit


def test_a_forgotten_members_votes_go_and_the_tally_is_edited() -> None:
    state = voted((7, "12:0"), (8, "12:1"))
    result = followed(forgotten(state, 7))
    assert result.state is not None
    assert js(result.state)["polls"]["12"]["votes"] == {"8": 1}
    (edit,) = result.outbound
    assert "Oui — 0 vote" in plain_text(edit.body) and "1 participant" in plain_text(edit.body)
    assert followed(forgotten(state, 5)).outbound == ()
    assert followed(forgotten(state, 7), ritual="points") == NOTHING
