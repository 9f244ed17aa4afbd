from dataclasses import replace

from hub.core.events import ButtonClicked
from hub.core.outbound import Replaces, SpaceTarget
from hub.core.richtext import plain_text
from hub.core.ritual import Occurrence
from hub.rituals.poll import Poll, PollConfig
from tests.rituals.conftest import COMMUNITY, NOW, context, member

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


def posted() -> dict[str, object]:
    result = POLL.on_occurrence(
        context(CONFIG, FR), Occurrence(id=12, ritual="poll", scheduled_at=NOW)
    )
    assert [o.target for o in result.outbound] == [
        SpaceTarget(space="main"),
        SpaceTarget(space="annonces"),
    ]
    assert [b.value for b in result.outbound[0].buttons] == ["12:0", "12:1"]
    assert "Oui — 0 vote" in plain_text(result.outbound[0].body)
    assert result.state is not None
    return dict(result.state)


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
