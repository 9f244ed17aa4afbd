from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.core.model.domain import Member, Space
from hub.core.model.member_records import RitualState, forgotten, merged
from hub.core.model.messages import MemberTarget, SpaceTarget
from hub.core.model.richtext import Link, Mention, Paragraph, RichText, plain_text
from hub.core.model.ritual import Occurrence, RitualResult, Signal, StaticDirectory
from hub.rituals.shoutout import Shoutout, ShoutoutConfig, ShoutoutState
from tests.rituals.conftest import COMMUNITY, NOW, SPACES, command, context, js, member

SHOUTOUT = Shoutout()
FR = Shoutout.default_texts["fr"]
CONFIG = ShoutoutConfig(spaces=["main", "annonces"])
JP = member(7, "Jean-Pierre")
ZOE = member(1, "Zoé")
PAUL = member(2, "Paul")
LEA = member(3, "Léa", reachable=False)
EVERYONE = StaticDirectory((JP, ZOE, PAUL, LEA))
WEEK = "2026-W48"  # NOW is Monday 23 November 2026
ROUNDUP = Occurrence(id=5, ritual="shoutout", scheduled_at=datetime(2026, 11, 27, 16, tzinfo=UTC))


def run(
    who: Member,
    *args: str,
    state: dict[str, Any] | RitualState | None = None,
    verb: str = "shoutout",
    space: str | None = "main",
    now: datetime = NOW,
    admin: bool = False,
    config: ShoutoutConfig = CONFIG,
    directory: StaticDirectory = EVERYONE,
) -> RitualResult:
    ctx = context(config, FR, state=state, who=who, now=now, directory=directory, admin=admin)
    return SHOUTOUT.on_event(ctx, command(who, verb, *args, space=space, now=now))


def said(result: RitualResult) -> str:
    (answer,) = result.outbound
    return plain_text(answer.body)


def nominated(*nominations: tuple[Member, tuple[str, ...]]) -> dict[str, Any]:
    """The state after each (nominator, args) nomination, all accepted."""
    state: dict[str, Any] = {}
    for who, args in nominations:
        result = run(who, *args, state=state)
        assert result.state is not None, said(result)
        state = js(result.state)
    return state


def roundup(state: dict[str, Any], config: ShoutoutConfig = CONFIG) -> RitualResult:
    ctx = context(config, FR, state=state, now=ROUNDUP.scheduled_at, directory=EVERYONE)
    return SHOUTOUT.on_occurrence(ctx, ROUNDUP)


# 1. nominating


def test_a_member_nominates_another_with_a_reason_stored_for_the_week() -> None:
    result = run(JP, "@Zoé", "m'a", "débloqué", "sur", "ma", "facturation")
    assert said(result) == (
        "Merci ! Ton coup de pouce pour Zoé est noté pour le récap de vendredi. 🙌"
    )
    assert result.outbound[0].target == SpaceTarget(space="main", platform="webchat")
    assert result.state is not None
    (stored,) = js(result.state)["weeks"][WEEK]
    assert stored == {
        "by": 7,
        "member": 1,
        "url": None,
        "why": "m'a débloqué sur ma facturation",
        "platform": "webchat",
        "space": "main",
        "at": NOW.isoformat().replace("+00:00", "Z"),
        "announced": False,
    }
    (record,) = result.records
    assert record.kind == "nomination" and record.member_id == 7
    assert record.data["member"] == 1 and record.data["week"] == WEEK
    assert result.effects == (Signal(name="given", member_id=7, other_member_id=1),)


def test_the_french_verb_does_the_same_and_privately_the_place_is_private() -> None:
    result = run(JP, "@{u2}", "super", "relecteur", verb="coupdepouce", space=None)
    assert result.outbound[0].target == MemberTarget(member_id=7, platform="webchat")
    assert "Paul" in said(result)
    assert result.state is not None
    (stored,) = js(result.state)["weeks"][WEEK]
    assert (stored["member"], stored["space"]) == (2, None)
    assert result.effects == (Signal(name="given", member_id=7, other_member_id=2),)


def test_an_outside_account_is_nominated_by_its_link() -> None:
    result = run(JP, "https://www.linkedin.com/in/marie", "ses", "posts", "sur", "la", "TVA")
    assert "https://www.linkedin.com/in/marie" in said(result)
    assert result.state is not None
    (stored,) = js(result.state)["weeks"][WEEK]
    assert stored["url"] == "https://www.linkedin.com/in/marie" and stored["member"] is None
    assert result.effects == (Signal(name="given", member_id=7, other_member_id=None),)


def test_a_name_in_several_words_is_understood_without_quotes() -> None:
    curie, dupont = member(4, "Marie Curie"), member(5, "Marie Dupont")
    directory = StaticDirectory((JP, curie, dupont))
    result = run(JP, "@Marie", "Curie", "géniale", directory=directory)
    assert result.state is not None
    (stored,) = js(result.state)["weeks"][WEEK]
    assert (stored["member"], stored["why"]) == (4, "géniale")


# 2. duplicates


def test_nominating_the_same_person_again_in_the_week_updates_the_reason() -> None:
    state = nominated((JP, ("@Zoé", "première", "raison")))
    result = run(JP, "@zoe", "meilleure", "raison", state=state)
    assert "mis à jour" in said(result)
    assert result.state is not None
    (stored,) = js(result.state)["weeks"][WEEK]
    assert stored["why"] == "meilleure raison"
    assert result.effects == ()  # counted once for the points
    assert [r.kind for r in result.records] == ["nomination_updated"]


def test_the_same_link_written_differently_is_the_same_nomination() -> None:
    state = nominated((JP, ("https://www.example.com/tool/", "utile")))
    result = run(JP, "http://example.com/tool", "indispensable", state=state)
    assert result.state is not None
    (stored,) = js(result.state)["weeks"][WEEK]
    assert stored["why"] == "indispensable" and result.effects == ()


def test_two_nominators_for_one_member_are_two_nominations() -> None:
    state = nominated((JP, ("@Zoé", "top")), (PAUL, ("@Zoé", "géniale")))
    assert [n["by"] for n in state["weeks"][WEEK]] == [7, 2]


def test_a_nominator_has_a_weekly_limit() -> None:
    config = ShoutoutConfig(max_per_week=1)
    state = nominated((JP, ("@Zoé", "top")))
    result = run(JP, "@Paul", "aussi", state=state, config=config)
    assert "déjà donné 1 coups de pouce" in said(result) and result.state is None


# 3. withdrawing


@pytest.mark.parametrize("subverb", ["withdraw", "retirer", "RETIRER"])
def test_a_member_withdraws_their_own_nomination(subverb: str) -> None:
    state = nominated((JP, ("@Zoé", "top")), (PAUL, ("@Zoé", "géniale")))
    result = run(JP, subverb, "@Zoé", state=state)
    assert said(result) == (
        "C'est fait : ton coup de pouce pour Zoé est retiré de la liste de la semaine."
    )
    assert result.state is not None
    assert [n["by"] for n in js(result.state)["weeks"][WEEK]] == [2]  # Paul's stays
    assert result.effects == (Signal(name="withdrawn", member_id=7, other_member_id=1),)


def test_withdrawing_what_was_not_given_gets_a_helpful_reply() -> None:
    state = nominated((PAUL, ("@Zoé", "géniale")))
    result = run(JP, "retirer", "@Zoé", state=state)
    assert "Je ne trouve pas de coup de pouce de ta part pour Zoé" in said(result)
    assert "/hub shoutout list" in said(result)
    assert result.state is None
    missing = run(JP, "retirer", state=state)
    assert "Pour retirer ton coup de pouce" in said(missing) and missing.state is None


# 4. listing and owners' removal


def test_everyone_can_list_the_week_numbered() -> None:
    state = nominated((JP, ("@Zoé", "top")), (PAUL, ("https://example.com", "outil")))
    text = said(run(ZOE, "liste", state=state))
    assert "1. Zoé, de Jean-Pierre : « top »" in text
    assert "2. https://example.com, de Paul : « outil »" in text
    assert "Aucun coup de pouce" in said(run(ZOE, "list"))


def test_an_owner_removes_any_nomination_by_its_number_in_private() -> None:
    state = nominated((JP, ("@Zoé", "top")), (PAUL, ("@Léa", "spam")))
    result = run(ZOE, "remove", "2", state=state, admin=True, space=None)
    assert said(result) == "Coup de pouce n° 2 supprimé (Léa, de Paul)."
    assert result.state is not None
    assert [n["by"] for n in js(result.state)["weeks"][WEEK]] == [7]
    assert result.records[0].kind == "nomination_removed"
    assert result.records[0].data["removed_by"] == ZOE.id
    assert result.effects == (Signal(name="withdrawn", member_id=2, other_member_id=3),)


def test_removal_is_for_owners_in_private_and_needs_a_listed_number() -> None:
    state = nominated((JP, ("@Zoé", "top")))
    member_asks = run(ZOE, "remove", "1", state=state, space=None)
    assert "Seuls les responsables" in said(member_asks) and member_asks.state is None
    in_group = run(ZOE, "remove", "1", state=state, admin=True)
    assert "Écris-moi en privé" in said(in_group) and in_group.state is None
    for args in (("3",), ("0",), ("x",), ()):
        wrong = run(ZOE, "remove", *args, state=state, admin=True, space=None)
        assert "Indique le numéro" in said(wrong) and wrong.state is None


# 5. weekly roundup


def test_the_roundup_groups_by_who_is_boosted_and_credits_every_nominator() -> None:
    state = nominated(
        (JP, ("@Zoé", "m'a", "aidé")),
        (PAUL, ("https://example.com/outil", "gain", "de", "temps")),
        (PAUL, ("@Zoé", "toujours", "là")),
        (ZOE, ("@Paul", "merci")),
    )
    result = roundup(state)
    posts = [o for o in result.outbound if isinstance(o.target, SpaceTarget)]
    assert [o.target for o in posts] == [SpaceTarget(space="main"), SpaceTarget(space="annonces")]
    assert all(o.key == "shoutout:roundup" for o in posts)
    text = plain_text(posts[0].body)
    zoe_part = text.index("👉 Zoé")
    assert text.index("« m'a aidé » — Jean-Pierre") > zoe_part
    assert text.index("« toujours là » — Paul") > zoe_part
    assert text.index("👉 https://example.com/outil") > text.index("« toujours là »")
    assert text.count("👉 Zoé") == 1 and "Passez leur dire bravo" in text
    first = posts[0].body.blocks[1]
    assert isinstance(first, Paragraph) and Mention(1, "Zoé") in first.children
    assert _links(posts[0].body) == ["https://example.com/outil"]


def test_each_boosted_member_is_told_privately_once() -> None:
    state = nominated(
        (JP, ("@Zoé", "top")),
        (PAUL, ("@Zoé", "géniale")),
        (ZOE, ("@Paul", "merci")),
        (JP, ("@Léa", "bravo")),  # not reachable: not told
        (JP, ("https://example.com", "outil")),
    )
    told = {
        o.target.member_id: plain_text(o.body)
        for o in roundup(state).outbound
        if isinstance(o.target, MemberTarget)
    }
    assert set(told) == {1, 2}
    assert "Tu as reçu 2 coups de pouce" in told[1] and "Paul : « géniale »" in told[1]
    assert told[2].startswith("🙌 Zoé t'a donné un coup de pouce : « merci »")


def test_the_roundup_goes_to_every_space_when_none_is_configured() -> None:
    state = nominated((JP, ("@Zoé", "top")))
    spaces = (
        *SPACES,
        Space(community_id=COMMUNITY.id, platform="slack", name="wins", address="C1"),
    )
    ctx = replace(context(ShoutoutConfig(), FR, state=state, directory=EVERYONE), spaces=spaces)
    posts = [o.target for o in SHOUTOUT.on_occurrence(ctx, ROUNDUP).outbound]
    assert SpaceTarget(space="main") in posts and SpaceTarget(space="wins") in posts
    assert len([p for p in posts if isinstance(p, SpaceTarget)]) == 2


def test_member_reasons_stay_literal_text_in_the_roundup() -> None:
    state = nominated((JP, ("@Zoé", "**gras**", "[lien](https://evil.example)")))
    post = roundup(state).outbound[0]
    assert "« **gras** [lien](https://evil.example) » — Jean-Pierre" in plain_text(post.body)
    assert _links(post.body) == []


def test_after_the_roundup_the_week_is_archived_and_not_posted_again() -> None:
    state = nominated((JP, ("@Zoé", "top")))
    first = roundup(state)
    assert first.state is not None
    assert all(n["announced"] for n in js(first.state)["weeks"][WEEK])
    again = roundup(js(first.state))
    assert again.outbound == ()


def test_a_nomination_after_the_roundup_is_in_the_next_one() -> None:
    state = nominated((JP, ("@Zoé", "top")))
    first = roundup(state)
    assert first.state is not None
    saturday = datetime(2026, 11, 28, 10, tzinfo=UTC)
    late = run(PAUL, "@Zoé", "tardif", state=js(first.state), now=saturday)
    assert late.state is not None
    text = plain_text(roundup(js(late.state)).outbound[0].body)
    assert "tardif" in text and "« top »" not in text


def test_the_roundup_keeps_only_the_last_two_weeks() -> None:
    old = {"by": 7, "member": 1, "url": None, "why": "x", "platform": "webchat"}
    old |= {"space": "main", "at": NOW.isoformat().replace("+00:00", "Z"), "announced": True}
    state = {"weeks": {"2026-W45": [old], "2026-W46": [old], "2026-W47": [old]}}
    state = {"weeks": {**state["weeks"], **nominated((JP, ("@Zoé", "top")))["weeks"]}}
    result = roundup(state)
    assert result.state is not None
    assert sorted(js(result.state)["weeks"]) == ["2026-W47", WEEK]


def test_with_no_nomination_nothing_is_posted_unless_asked() -> None:
    assert roundup({}).outbound == ()
    config = ShoutoutConfig(spaces=["main"], post_when_empty=True)
    (invite,) = roundup({}, config=config).outbound
    assert invite.target == SpaceTarget(space="main")
    assert "Pas encore de coup de pouce cette semaine" in plain_text(invite.body)


# weeks in the community's timezone


def test_weeks_follow_paris_time_at_the_boundary() -> None:
    sunday_late = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)  # Sunday 23:30 in Paris
    monday_early = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # Monday 00:30 in Paris
    first = run(JP, "@Zoé", "dimanche", now=sunday_late)
    assert first.state is not None
    second = run(JP, "@Zoé", "lundi", state=js(first.state), now=monday_early)
    assert second.state is not None and "noté" in said(second)  # a new week, a new one
    weeks = js(second.state)["weeks"]
    assert [n["why"] for n in weeks[WEEK]] == ["dimanche"]
    assert [n["why"] for n in weeks["2026-W49"]] == ["lundi"]
    listed = said(run(JP, "list", state=js(second.state), now=monday_early))
    assert "lundi" in listed and "dimanche" not in listed


# 6. refusals


def test_a_member_cannot_nominate_themselves() -> None:
    result = run(JP, "@Jean-Pierre", "je", "suis", "génial")
    assert "un coup de pouce, ça se donne à quelqu'un d'autre" in said(result)
    assert result.state is None and result.effects == ()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("@Inconnu", "top"), "Je ne connais personne qui réponde à @Inconnu"),
        (("Zoé", "top"), "Je n'ai pas compris « Zoé »"),
        (("ftp://example.com", "top"), "Je n'ai pas compris « ftp://example.com »"),
        (("javascript:alert(1)", "top"), "Je n'ai pas compris"),
        (("@Zoé",), "Dis-moi pourquoi"),
        (("https://example.com",), "Dis-moi pourquoi"),
        (("@Zoé", "x" * 281), "Ton message fait 281 caractères, 280 au maximum"),
        ((), "Pour donner un coup de pouce"),
    ],
)
def test_bad_nominations_get_a_short_reply_with_usage(args: tuple[str, ...], expected: str) -> None:
    result = run(JP, *args, verb="coupdepouce")
    text = said(result)
    assert expected in text
    assert "/hub coupdepouce @membre pourquoi…" in text
    assert result.state is None and result.records == () and result.effects == ()


def test_an_ambiguous_member_must_be_made_precise() -> None:
    directory = StaticDirectory((JP, member(4, "Marie Curie"), member(5, "Marie Dupont")))
    result = run(JP, "@Marie", "top", directory=directory)
    assert "Plusieurs membres correspondent à @Marie (Marie Curie, Marie Dupont)" in said(result)
    assert result.state is None


def test_the_reason_limit_is_configurable_and_texts_overridable() -> None:
    config = ShoutoutConfig(max_reason=10, texts={"given": "OK {{ whom }} !"})
    assert "10 au maximum" in said(run(JP, "@Zoé", "trop", "long", "ici", config=config))
    assert said(run(JP, "@Zoé", "court", config=config)) == "OK Zoé !"
    assert run(JP, "@Zoé", "x" * 280).state is not None  # the default limit, inclusive
    with pytest.raises(ValueError, match="unknown text 'gievn'"):
        ShoutoutConfig(texts={"gievn": "x"})


def test_other_commands_and_events_are_not_its_business() -> None:
    ctx = context(CONFIG, FR, who=JP, directory=EVERYONE)
    assert SHOUTOUT.on_event(ctx, command(JP, "kudos", "@Zoé", "top")).outbound == ()


# 7. merged and forgotten members


def test_merged_members_are_renamed_and_their_duplicates_folded() -> None:
    zoe_bis = member(9, "Zoé (Slack)")
    directory = StaticDirectory((*EVERYONE.known, zoe_bis))
    state: dict[str, Any] = {}
    for who, args, when in [
        (JP, ("@Zoé", "ancienne"), NOW),
        (JP, ("@{u9}", "nouvelle"), NOW.replace(hour=10)),
        (ZOE, ("@{u9}", "moi-même"), NOW),
        (zoe_bis, ("@Paul", "merci"), NOW),
    ]:
        result = run(who, *args, state=state, now=when, directory=directory)
        assert result.state is not None
        state = js(result.state)
    entries = js(merged(ShoutoutState.model_validate(state), kept=1, gone=9))["weeks"][WEEK]
    assert [(n["by"], n["member"], n["why"]) for n in entries] == [
        (7, 1, "nouvelle"),  # one nomination, the latest reason
        (1, 2, "merci"),  # the self-nomination is gone
    ]


def test_a_forgotten_member_leaves_no_nomination_given_or_received() -> None:
    state = nominated(
        (JP, ("@Zoé", "top")), (ZOE, ("@Paul", "merci")), (PAUL, ("@Jean-Pierre", "bravo"))
    )
    left = forgotten(ShoutoutState.model_validate(state), 1)
    assert [(n["by"], n["member"]) for n in js(left)["weeks"][WEEK]] == [(2, 7)]


def _links(body: RichText) -> list[str]:
    found: list[str] = []
    for block in body.blocks:
        runs = block.items if not isinstance(block, Paragraph) else (block.children,)
        found.extend(node.url for run in runs for node in run if isinstance(node, Link))
    return found
