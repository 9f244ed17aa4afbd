from hub.core.model.member_records import RitualState
from hub.core.model.messages import SpaceTarget
from hub.core.model.richtext import plain_text
from hub.core.model.ritual import Occurrence, RepliedTo, Signal
from hub.rituals.icebreaker import Icebreaker, IcebreakerConfig, IcebreakerState
from tests.rituals.conftest import NOW, context, member, said

ICEBREAKER = Icebreaker()
FR = Icebreaker.default_texts["fr"]
QUESTIONS = ["Premier client ?", "Outil préféré ?", "Meilleur conseil ?"]
CONFIG = IcebreakerConfig(schedule="0 9 * * MON", spaces=["main", "annonces"], questions=QUESTIONS)
OCCURRENCE = Occurrence(id=1, ritual="icebreaker", scheduled_at=NOW)


def test_posts_the_question_to_every_configured_space() -> None:
    result = ICEBREAKER.on_occurrence(context(CONFIG, FR), OCCURRENCE)
    assert [o.target for o in result.outbound] == [
        SpaceTarget(space="main"),
        SpaceTarget(space="annonces"),
    ]
    text = plain_text(result.outbound[0].body)
    assert "Question de la semaine" in text
    assert any(q in text for q in QUESTIONS)


def test_never_repeats_a_question_before_the_bank_is_exhausted() -> None:
    state: RitualState = IcebreakerState()
    asked: list[int] = []
    for seed in range(len(QUESTIONS) * 3):
        result = ICEBREAKER.on_occurrence(context(CONFIG, FR, state=state, seed=seed), OCCURRENCE)
        assert result.state is not None
        state = result.state
        assert isinstance(state, IcebreakerState) and state.current is not None
        asked.append(state.current)
    for round_start in range(0, len(asked), len(QUESTIONS)):
        assert sorted(asked[round_start : round_start + len(QUESTIONS)]) == [0, 1, 2]


def test_records_a_reply_to_its_question_as_an_answer() -> None:
    who = member()
    replied = RepliedTo(ritual="icebreaker", outbound_key="icebreaker:1", cause="occurrence:1")
    result = ICEBREAKER.on_event(
        context(CONFIG, FR, who=who, replied_to=replied), said(who, "Notion !", "1-0")
    )
    (record,) = result.records
    assert record.kind == "answer"
    assert record.member_id == who.id
    assert record.data["question"] == "Outil préféré ?"
    assert record.data["text"] == "Notion !"
    assert result.effects == (Signal(name="answered", member_id=who.id),)  # for the points


def test_ignores_messages_that_do_not_answer_its_question() -> None:
    who = member()
    other = RepliedTo(ritual="welcome", outbound_key="welcome:public", cause="event:x")
    assert ICEBREAKER.on_event(context(CONFIG, FR, who=who), said(who, "hello")).records == ()
    assert (
        ICEBREAKER.on_event(
            context(CONFIG, FR, who=who, replied_to=other), said(who, "hi", "2-0")
        ).records
        == ()
    )
