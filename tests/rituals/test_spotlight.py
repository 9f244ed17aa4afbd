from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from hub.core.model.domain import Identity, Member
from hub.core.model.events import Event, MemberLeft, RecordsRewritten
from hub.core.model.member_records import RitualState, forgotten, merged
from hub.core.model.messages import MemberTarget, SpaceTarget
from hub.core.model.richtext import (
    Bold,
    Inline,
    Italic,
    Link,
    Mention,
    Paragraph,
    RichText,
    plain_text,
)
from hub.core.model.ritual import NOTHING, Occurrence, RitualResult, Signal, StaticDirectory
from hub.rituals.spotlight import Asked, Spotlight, SpotlightConfig, SpotlightState
from tests.rituals.conftest import COMMUNITY, command, context, joined, member

SPOT = Spotlight()
FR = Spotlight.default_texts["fr"]
# Most tests ask at publication (no ask slot); the ask slot has tests of its own below.
CONFIG = SpotlightConfig(schedule="0 10 * * WED", ask_days_before=0)
WED = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Paris
HUB = Identity(platform="hub", user_id="hub", display_name="hub")


def people(*names: str, **options: Any) -> list[Member]:
    return [member(i, name, **options) for i, name in enumerate(names, 1)]


ANA, BEA, CHLOE, DAN = people("Ana", "Bea", "Chloé", "Dan")


def fire(
    state: Mapping[str, Any] | RitualState | None,
    members: Iterable[Member],
    *,
    now: datetime = WED,
    config: SpotlightConfig = CONFIG,
    number: int = 1,
) -> RitualResult:
    ctx = context(config, FR, state=state, now=now, directory=StaticDirectory(tuple(members)))
    return SPOT.on_occurrence(ctx, Occurrence(id=number, ritual="spotlight", scheduled_at=now))


def event(
    state: Mapping[str, Any] | RitualState | None,
    members: Iterable[Member],
    happened: Event,
    *,
    who: Member | None = None,
    admin: bool = False,
    now: datetime = WED + timedelta(days=1),
) -> RitualResult:
    ctx = context(
        CONFIG,
        FR,
        state=state,
        who=who,
        now=now,
        admin=admin,
        directory=StaticDirectory(tuple(members)),
    )
    return SPOT.on_event(ctx, happened)


def say(
    state: Mapping[str, Any] | RitualState | None,
    members: Iterable[Member],
    who: Member,
    *args: str,
    space: str | None = None,
    admin: bool = False,
) -> RitualResult:
    """`/hub spotlight <args…>` typed by `who`, privately unless `space` is given."""
    now = WED + timedelta(days=1)
    typed = command(who, "spotlight", *args, space=space, now=now)
    return event(state, members, typed, who=who, admin=admin, now=now)


def featured(result: RitualResult) -> int | None:
    return next((r.member_id for r in result.records if r.kind == "featured"), None)


def asked(result: RitualResult) -> int | None:
    assert result.state is not None
    shown = spot(result.state).asked
    return None if shown is None else shown.member


def only_reply(result: RitualResult) -> str:
    (answer,) = result.outbound
    return plain_text(answer.body)


def rotate(
    state: Mapping[str, Any] | RitualState | None, members: list[Member], times: int
) -> tuple[list[int | None], Mapping[str, Any]]:
    shown: list[int | None] = []
    for week in range(times):
        result = fire(state, members, now=WED + timedelta(weeks=week), number=week + 1)
        assert result.state is not None
        shown.append(featured(result))
        state = result.state
    assert state is not None
    return shown, state


def left(user: Member) -> MemberLeft:
    return MemberLeft(
        event_id=f"left:{user.id}",
        community_id=COMMUNITY.id,
        platform="webchat",
        space="main",
        actor=user.identities[0],
        occurred_at=WED,
    )


def spot(state: Mapping[str, Any] | RitualState | None) -> SpotlightState:
    """The state as the spotlight's own model."""
    if isinstance(state, SpotlightState):
        return state
    dumped = state.model_dump() if isinstance(state, RitualState) else dict(state or {})
    return SpotlightState.model_validate(dumped)


def rewritten() -> RecordsRewritten:
    """What the spotlight hears once the core rewrote its state (a link, a forget-me)."""
    return RecordsRewritten(
        event_id="x:forget:spotlight",
        community_id=COMMUNITY.id,
        platform="hub",
        space=None,
        actor=HUB,
        occurred_at=WED,
        ritual="spotlight",
    )


# --- 1. a fair rotation ---------------------------------------------------------------------


def test_everyone_once_before_anyone_twice_over_hundreds_of_members_joining_and_leaving() -> None:
    members = [member(i, f"Membre {i}") for i in range(1, 301)]
    state: Mapping[str, Any] | RitualState = {}
    shown: list[int | None] = []
    for week in range(400):
        if 10 <= week < 60:  # 50 newcomers, one a week
            members.append(member(1000 + week - 9, f"Nouveau {week}"))
        if 100 <= week < 120 and week % 2 == 0:  # 10 leave before their turn came
            leaver = next(m for m in members if m.id == 281 + (week - 100) // 2)
            state = event(state, members, left(leaver), who=leaver).state or state
        if 100 <= week < 120 and week % 2 == 1:  # 10 already featured are forgotten
            gone = 1 + (week - 101) // 2
            members = [m for m in members if m.id != gone]
            state = forgotten(spot(state), gone)  # the core's doing
        result = fire(state, members, now=WED + timedelta(weeks=week), number=week + 1)
        assert result.state is not None
        state = result.state
        shown.append(featured(result))

    first_round = shown[:340]
    assert first_round == [*range(1, 281), *range(291, 301), *range(1001, 1051)]
    assert len(set(first_round)) == len(first_round)
    assert not set(first_round) & set(range(281, 291))  # left before their turn
    assert shown[340:] == list(range(11, 71))  # round two, without the forgotten 1…10


def test_unreachable_members_are_skipped_and_keep_their_place() -> None:
    unreachable = member(BEA.id, "Bea", reachable=False)
    first = fire({}, [ANA, unreachable, CHLOE, DAN])
    assert featured(first) == ANA.id and asked(first) == CHLOE.id
    shown, _ = rotate(first.state, [ANA, BEA, CHLOE, DAN], 3)  # Bea can be reached again
    assert shown == [CHLOE.id, BEA.id, DAN.id]


def test_members_who_opt_out_are_skipped_and_come_back_at_their_place() -> None:
    everyone = [ANA, BEA, CHLOE, DAN]
    paused = say({}, everyone, BEA, "off")
    assert "je ne te mettrai plus à la une" in only_reply(paused)
    first = fire(paused.state, everyone)
    assert featured(first) == ANA.id and asked(first) == CHLOE.id
    second = fire(first.state, everyone)
    assert featured(second) == CHLOE.id and asked(second) == DAN.id
    back = say(second.state, everyone, BEA, "on")
    assert "te revoilà" in only_reply(back)
    shown, _ = rotate(back.state, everyone, 3)
    assert shown == [DAN.id, BEA.id, ANA.id]


def test_the_asked_member_who_opts_out_is_replaced_at_once() -> None:
    everyone = [ANA, BEA, CHLOE]
    first = fire({}, everyone)
    assert asked(first) == BEA.id
    paused = say(first.state, everyone, BEA, "off")
    told, ask = paused.outbound
    assert "je ne te mettrai plus à la une" in plain_text(told.body)
    assert ask.target == MemberTarget(member_id=CHLOE.id)
    assert asked(paused) == CHLOE.id
    assert paused.state is not None and spot(paused.state).queue[:2] == [CHLOE.id, BEA.id]


def test_newcomers_in_a_later_round_come_after_those_still_waiting_in_it() -> None:
    shown, state = rotate({}, [ANA, BEA, CHLOE], 4)  # round two has begun with Ana
    assert shown == [ANA.id, BEA.id, CHLOE.id, ANA.id]
    shown, _ = rotate(state, [ANA, BEA, CHLOE, DAN], 5)
    assert shown == [BEA.id, CHLOE.id, DAN.id, ANA.id, BEA.id]


def test_a_member_who_left_is_dropped_and_rejoins_at_the_end_of_the_round() -> None:
    everyone = [ANA, BEA, CHLOE, DAN]
    first = fire({}, everyone)  # Ana featured, Bea asked
    gone = event(first.state, everyone, left(CHLOE), who=CHLOE)
    assert gone.state is not None and CHLOE.id not in spot(gone.state).queue
    shown, state = rotate(gone.state, everyone, 1)  # the directory still lists Chloé
    assert shown == [BEA.id]
    back = event(state, everyone, joined(CHLOE), who=CHLOE)
    assert back.state is not None and spot(back.state).left == []
    shown, _ = rotate(back.state, everyone, 4)  # after Dan, still waiting; before Ana and Bea
    assert shown == [DAN.id, CHLOE.id, ANA.id, BEA.id]


# --- 2. asking, answering, passing ----------------------------------------------------------


def test_the_next_member_is_asked_privately_with_the_publication_day() -> None:
    result = fire({}, [ANA, BEA])
    post, ask = result.outbound
    assert post.target == SpaceTarget(space="main")
    assert ask.target == MemberTarget(member_id=BEA.id)
    assert ask.key == f"spotlight:ask:{BEA.id}"
    assert "Coucou Bea ! 🌟 Le mercredi 2 décembre" in plain_text(ask.body)
    assert "/hub spotlight passer" in plain_text(ask.body)


def test_the_publication_day_is_the_communitys_calendar_day() -> None:
    late = SpotlightConfig(
        schedule="30 0 * * THU", ask_days_before=0
    )  # 23:30 UTC on Wednesday in winter
    at = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    (_, ask) = fire({}, [ANA, BEA], config=late, now=at).outbound
    assert "Le jeudi 3 décembre" in plain_text(ask.body)


def test_the_asked_member_answers_with_a_pitch_and_a_link_and_may_change_them() -> None:
    everyone = [ANA, BEA]
    first = fire({}, everyone)
    pitched = say(first.state, everyone, BEA, "pitch", "Je", "suis", "graphiste")
    assert "« Je suis graphiste »" in only_reply(pitched)
    assert "le mercredi 2 décembre" in only_reply(pitched)
    linked = say(pitched.state, everyone, BEA, "link", "https://bea.fr/a_b")
    assert "https://bea.fr/a_b" in only_reply(linked)
    again = say(linked.state, everyone, BEA, "pitch", "Je", "dessine")
    assert again.state is not None
    assert spot(again.state).asked == Asked(
        member=BEA.id, pitch="Je dessine", link="https://bea.fr/a_b"
    )


def test_passing_sends_the_member_to_the_end_and_asks_the_next_one_at_once() -> None:
    everyone = [ANA, BEA, CHLOE]
    first = fire({}, everyone)  # Ana featured, Bea asked
    passed = say(first.state, everyone, BEA, "passer")
    told, ask = passed.outbound
    assert "tu passes ton tour" in plain_text(told.body)
    assert ask.target == MemberTarget(member_id=CHLOE.id)
    assert asked(passed) == CHLOE.id
    assert [r.kind for r in passed.records] == ["passed", "asked"]
    shown, _ = rotate(passed.state, everyone, 4)
    assert shown == [CHLOE.id, ANA.id, BEA.id, CHLOE.id]


def test_a_member_who_passes_is_not_asked_again_at_once_when_nobody_else_can_be() -> None:
    everyone = [ANA, BEA]
    first = fire(say({}, everyone, ANA, "off").state, everyone)  # Bea featured, then asked
    assert featured(first) == BEA.id and asked(first) == BEA.id
    passed = say(first.state, everyone, BEA, "skip")
    assert [o.key for o in passed.outbound] == ["spotlight:skipped"]
    assert asked(passed) is None
    later = fire(passed.state, everyone, now=WED + timedelta(weeks=1))
    assert featured(later) is None  # her "no" holds for this publication…
    assert asked(later) == BEA.id  # …and she is asked again for the next one


def test_skip_is_the_english_name_and_asks_someone_else_even_in_a_small_community() -> None:
    first = fire({}, [ANA, BEA])  # Ana featured, Bea asked
    passed = say(first.state, [ANA, BEA], BEA, "skip")
    assert asked(passed) == ANA.id


# --- 3. the publication ---------------------------------------------------------------------


def test_the_spotlight_shows_the_pitch_and_link_with_a_mention_in_every_space() -> None:
    everyone = [ANA, BEA]
    config = SpotlightConfig(
        schedule="0 10 * * WED", spaces=["main", "annonces"], ask_days_before=0
    )
    first = fire({}, everyone, config=config)
    pitch = say(first.state, everyone, BEA, "pitch", "**Gras**", "[x](https://evil.example)")
    linked = say(pitch.state, everyone, BEA, "link", "https://bea.fr")
    result = fire(linked.state, everyone, config=config, now=WED + timedelta(weeks=1))
    main, annonces, _ask = result.outbound
    assert main.target == SpaceTarget(space="main") and main.key == "spotlight:post"
    assert annonces.target == SpaceTarget(space="annonces") and annonces.body == main.body
    shown = plain_text(main.body)
    assert "À la une : Bea" in shown
    assert "**Gras** [x](https://evil.example)" in shown  # the member's words stay literal
    assert Mention(BEA.id, "Bea") in _inlines(main.body)
    assert any(isinstance(n, Link) and n.url == "https://bea.fr" for n in _inlines(main.body))
    assert not any(isinstance(n, Link) and "evil" in n.url for n in _inlines(main.body))
    assert featured(result) == BEA.id
    assert result.records[0].data == {"source": "pitch"}
    assert Signal(name="featured", member_id=BEA.id) in result.effects


def test_without_an_answer_the_spotlight_shows_the_profile_card() -> None:
    card = {"bio": "Graphiste pour les indés", "city": "Lyon", "link": "javascript:alert(1)"}
    zoe = member(1, "Zoé", profile=card)
    result = fire({}, [zoe, BEA])
    post, _ask = result.outbound
    shown = plain_text(post.body)
    assert "Graphiste pour les indés" in shown and "📍 Lyon" in shown
    assert "javascript" not in shown
    assert result.records[0].data == {"source": "profile"}


def test_without_answer_or_profile_the_spotlight_invites_people_to_say_hello() -> None:
    everyone = [ANA, BEA]
    first = fire({}, everyone)
    result = fire(first.state, everyone, now=WED + timedelta(weeks=1))
    post, _ask = result.outbound
    assert featured(result) == BEA.id
    assert "Bea fait partie de Inside Freelancing" in plain_text(post.body)
    assert "Passe lui dire bonjour" in plain_text(post.body)
    assert result.records[0].data == {"source": "generic"}


def test_nothing_is_posted_when_nobody_is_eligible() -> None:
    away = [member(1, "Ana", reachable=False), member(2, "Bea", reachable=False)]
    result = fire({}, away)
    assert result.outbound == () and featured(result) is None
    assert fire({}, []).outbound == ()


def test_the_asked_member_who_became_unreachable_is_not_published() -> None:
    everyone = [ANA, BEA, CHLOE]
    first = fire({}, everyone)  # Bea asked
    result = fire(first.state, [ANA, member(2, "Bea", reachable=False), CHLOE])
    assert featured(result) == CHLOE.id


# --- 4. the owner's queue -------------------------------------------------------------------


def test_the_owner_sees_the_upcoming_order_numbered() -> None:
    everyone = [ANA, BEA, CHLOE, member(4, "Dan", reachable=False)]
    first = fire(say({}, everyone, CHLOE, "off").state, everyone)  # Ana featured, Bea asked
    shown = only_reply(say(first.state, everyone, ANA, "queue", admin=True))
    assert "Au prochain passage : Bea — pas encore de réponse." in shown
    assert shown.endswith("1. Chloé (en pause)\n2. Dan (injoignable)\n3. Ana")


def test_a_newcomer_is_listed_after_those_waiting_and_before_those_already_featured() -> None:
    first = fire({}, [ANA, BEA, CHLOE])  # Ana featured, Bea asked
    shown = only_reply(say(first.state, [ANA, BEA, CHLOE, DAN], ANA, "queue", admin=True))
    assert shown.endswith("1. Chloé\n2. Dan\n3. Ana")


def test_the_queue_is_refused_to_members_and_in_the_group() -> None:
    everyone = [ANA, BEA]
    state = fire({}, everyone).state
    by_member = say(state, everyone, BEA, "queue")
    assert by_member.state is None
    assert "Seuls les responsables" in only_reply(by_member)
    in_group = say(state, everyone, ANA, "queue", space="main", admin=True)
    assert "Écris-moi en privé" in only_reply(in_group)
    moved = say(state, everyone, BEA, "move", "@Ana", "1")
    assert moved.state is None and "Seuls les responsables" in only_reply(moved)


def test_the_owner_moves_a_member_to_a_position() -> None:
    everyone = [ANA, BEA, CHLOE, DAN]
    first = fire({}, everyone)  # Ana featured, Bea asked; then Chloé, Dan, Ana
    moved = say(first.state, everyone, ANA, "move", "@Dan", "1", admin=True)
    assert only_reply(moved) == "C'est fait : Dan est maintenant en position 1 sur 3."
    assert moved.records[0].kind == "moved"
    last = say(moved.state, everyone, ANA, "move", "@Chloé", "9", admin=True)
    assert "position 3 sur 3" in only_reply(last)
    shown, _ = rotate(last.state, everyone, 5)
    assert shown == [BEA.id, DAN.id, ANA.id, CHLOE.id, BEA.id]


def test_moving_needs_a_known_member_and_a_position() -> None:
    everyone = [ANA, BEA, member(3, "Membre Un"), member(4, "Membre Deux")]
    state = fire({}, everyone).state  # Bea asked
    cases = {
        ("move",): "Pour déplacer un membre",
        ("move", "@Dan"): "Pour déplacer un membre",
        ("move", "@Ana", "deux"): "Pour déplacer un membre",
        ("move", "@Ana", "0"): "Pour déplacer un membre",
        ("move", "@Zed", "2"): "Je ne connais personne qui réponde à @Zed",
        ("move", "@Membre", "2"): "Plusieurs membres correspondent à @Membre",
        ("move", "@Bea", "2"): "Bea a déjà reçu son invitation",
    }
    for args, expected in cases.items():
        result = say(state, everyone, ANA, *args, admin=True)
        assert result.state is None, args
        assert expected in only_reply(result), args


# --- 5. bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "Les commandes du spotlight"),
        (("truc",), "Les commandes du spotlight"),
        (("pitch",), "Écris ton pitch juste après la commande"),
        (("pitch", "x" * 501), "Ton pitch fait 501 caractères, 500 au maximum"),
        (("link",), "Il me faut une adresse web complète"),
        (("link", "ftp://bea.fr"), "Il me faut une adresse web complète"),
        (("link", "bea.fr"), "Il me faut une adresse web complète"),
        (("link", "https://bea.fr", "et"), "Il me faut une adresse web complète"),
    ],
)
def test_bad_input_from_the_asked_member_gets_help_and_changes_nothing(
    args: tuple[str, ...], expected: str
) -> None:
    state = fire({}, [ANA, BEA]).state  # Bea asked
    result = say(state, [ANA, BEA], BEA, *args)
    assert result.state is None
    assert expected in only_reply(result)


@pytest.mark.parametrize("verb", ["pitch", "link", "skip", "passer"])
def test_only_the_asked_member_may_answer_or_pass(verb: str) -> None:
    everyone = [ANA, BEA, CHLOE]
    state = fire({}, everyone).state  # Bea asked
    result = say(state, everyone, CHLOE, verb, "https://chloe.fr")
    assert result.state is None
    assert "Ce n'est pas encore ton tour" in only_reply(result)


def test_owners_see_their_verbs_in_the_usage() -> None:
    assert "/hub spotlight move" in only_reply(say({}, [ANA], ANA, "?", admin=True))
    assert "/hub spotlight move" not in only_reply(say({}, [ANA], ANA, "?"))


# --- 6. merged and forgotten members --------------------------------------------------------


def test_merged_accounts_keep_the_earlier_place_and_appear_once() -> None:
    everyone = [ANA, BEA, CHLOE, DAN]
    first = fire({}, everyone)  # queue: Bea (asked), Chloé, Dan, Ana (done)
    state = merged(spot(first.state), kept=DAN.id, gone=CHLOE.id)
    assert (state.queue, state.done) == ([BEA.id, DAN.id, ANA.id], [ANA.id])
    into_new = merged(state, kept=9, gone=ANA.id)
    assert into_new.queue == [BEA.id, DAN.id, 9]
    assert into_new.done == [9]  # Ana's turn came: the person is not featured twice


def test_a_merge_into_the_asked_members_place_carries_the_pitch_and_the_pause() -> None:
    everyone = [ANA, BEA, CHLOE]
    first = fire({}, everyone)  # Bea asked, Ana done
    pitched = say(first.state, everyone, BEA, "pitch", "Coucou")
    paused = say(pitched.state, everyone, CHLOE, "off")
    into_ana = merged(spot(paused.state), kept=ANA.id, gone=BEA.id)
    assert (into_ana.queue, into_ana.done) == ([ANA.id, CHLOE.id], [])
    assert into_ana.asked == Asked(member=ANA.id, pitch="Coucou")
    assert merged(into_ana, kept=DAN.id, gone=CHLOE.id).off == [DAN.id]


def test_a_forgotten_member_is_purged_and_if_asked_replaced_at_once() -> None:
    everyone = [ANA, BEA, CHLOE]
    first = fire({}, everyone)  # Bea asked
    paused = say(first.state, everyone, CHLOE, "off")
    without_chloe = forgotten(spot(paused.state), CHLOE.id)
    assert CHLOE.id not in without_chloe.queue and without_chloe.off == []
    assert event(without_chloe, [ANA, BEA], rewritten()) == NOTHING  # Bea is still asked
    without_bea = event(forgotten(without_chloe, BEA.id), [ANA], rewritten())
    (ask,) = without_bea.outbound
    assert ask.target == MemberTarget(member_id=ANA.id)
    assert spot(without_bea.state).queue == [ANA.id]
    assert asked(without_bea) == ANA.id


# --- config ---------------------------------------------------------------------------------


def test_texts_are_overridable_and_typos_are_refused() -> None:
    config = SpotlightConfig(
        schedule="0 10 * * WED",
        ask_days_before=0,
        texts={"post_generic": "Salut {{ featured.name }} !"},
    )
    (post, _ask) = fire({}, [ANA, BEA], config=config).outbound
    assert plain_text(post.body) == "Salut Ana !"
    with pytest.raises(ValidationError, match="unknown text 'post_generik'"):
        SpotlightConfig(schedule="0 10 * * WED", texts={"post_generik": "x"})


def _inlines(body: RichText) -> list[Inline]:
    """Every inline node of the body, nested ones included."""
    found: list[Inline] = []
    pending = [n for b in body.blocks if isinstance(b, Paragraph) for n in b.children]
    while pending:
        node = pending.pop(0)
        found.append(node)
        if isinstance(node, Bold | Italic | Link):
            pending.extend(node.children)
    return found


def test_by_default_the_next_member_is_asked_two_days_before_the_publication() -> None:
    config = SpotlightConfig(schedule="0 10 * * WED")
    assert config.schedules() == {"": "0 10 * * WED", "ask": "0 10 * * MON"}
    assert SpotlightConfig(schedule="0 10 * * 0", ask_days_before=1).schedules()["ask"] == (
        "0 10 * * SAT"
    )
    assert "ask" not in SpotlightConfig(schedule="0 10 1 * *").schedules()  # not weekly
    explicit = SpotlightConfig(schedule="0 10 1 * *", ask_schedule="0 10 28 * *")
    assert explicit.schedules()["ask"] == "0 10 28 * *"


def test_the_ask_slot_asks_and_the_publication_only_publishes() -> None:
    config = SpotlightConfig(schedule="0 10 * * WED")
    everyone = [ANA, BEA, CHLOE]
    monday = WED - timedelta(days=2)
    ctx = context(config, FR, state={}, now=monday, directory=StaticDirectory(tuple(everyone)))
    ask_slot = Occurrence(id=1, ritual="spotlight", scheduled_at=monday, slot="ask")
    asked = SPOT.on_occurrence(ctx, ask_slot)
    (ask,) = asked.outbound
    assert ask.target == MemberTarget(member_id=ANA.id)
    assert "mercredi 25 novembre" in plain_text(ask.body)
    again = replace(ctx, state=asked.state or {})
    assert SPOT.on_occurrence(again, ask_slot).outbound == ()  # someone is already asked
    published = fire(asked.state, everyone, config=config)
    (post,) = published.outbound  # no ask right after: Monday's slot will ask
    assert "Ana" in plain_text(post.body)
