from collections.abc import Iterator
from datetime import timedelta

import pytest
from pydantic import ValidationError

from hub.core.model.domain import Member
from hub.core.model.member_records import forgotten, merged
from hub.core.model.messages import MemberTarget, SpaceTarget
from hub.core.model.richtext import (
    Bold,
    BulletList,
    Inline,
    Italic,
    Link,
    Mention,
    RichText,
    Strike,
    plain_inline,
    plain_text,
)
from hub.core.model.ritual import NOTHING, Occurrence, RitualResult, SetProfile, StaticDirectory
from hub.rituals.profile import KEEP_INTRODUCED, Profile, ProfileConfig, ProfileState
from tests.rituals.conftest import NOW, command, context, js, member, said

PROFILE = Profile()
FR = Profile.default_texts["fr"]
EN = Profile.default_texts["en"]
CONFIG = ProfileConfig()
MEET = ProfileConfig(meet_schedule="0 10 * * MON")
NASTY = "**gras** [lien](https://evil) @everyone <@U1>"

ME = member(7, "Jean-Pierre")
ZOE = member(
    8,
    "Zoé",
    profile={
        "bio": "Je fais des sites",
        "skills": "design, no-code",
        "link": "https://zoe.fr",
        "city": "Lyon",
    },
)


def run(
    *args: str,
    who: Member = ME,
    verb: str = "profile",
    space: str | None = "main",
    directory: StaticDirectory | None = None,
) -> RitualResult:
    ctx = context(CONFIG, FR, who=who, directory=directory or StaticDirectory((ME, ZOE)))
    return PROFILE.on_event(ctx, command(who, verb, *args, space=space))


def body(result: RitualResult) -> str:
    (out,) = result.outbound
    return plain_text(out.body)


def nodes(rich: RichText) -> Iterator[Inline]:
    for block in rich.blocks:
        for run_ in block.items if isinstance(block, BulletList) else (block.children,):
            yield from _walk(run_)


def _walk(children: tuple[Inline, ...]) -> Iterator[Inline]:
    for node in children:
        yield node
        if isinstance(node, Bold | Italic | Strike | Link):
            yield from _walk(node.children)


def assert_refused(result: RitualResult, *expected: str) -> None:
    """Bad input: one reply saying what is wrong and how to do it, nothing else changes."""
    assert result.effects == () and result.state is None and result.records == ()
    text = body(result)
    assert "/hub profile set" in text
    for part in expected:
        assert part in text


# 1. Showing cards


def test_profile_shows_your_own_card_where_you_asked() -> None:
    result = run(who=ZOE)
    (out,) = result.outbound
    assert out.target == SpaceTarget(space="main", platform="webchat")
    text = plain_text(out.body)
    for part in ("Zoé", "Je fais des sites", "design, no-code", "https://zoe.fr", "Lyon"):
        assert part in text
    assert result.effects == () and result.state is None


def test_profile_asked_privately_answers_privately() -> None:
    (out,) = run(who=ZOE, space=None).outbound
    assert out.target == MemberTarget(member_id=ZOE.id, platform="webchat")


def test_an_empty_card_invites_you_to_fill_it_in() -> None:
    assert "Ta fiche est encore vide" in body(run())
    assert "/hub profile set bio" in body(run())


def test_profile_of_someone_else_by_name_or_platform_mention() -> None:
    assert "Je fais des sites" in body(run("@Zoé"))
    assert "Je fais des sites" in body(run("@zoe"))
    assert "Je fais des sites" in body(run("@{u8}"))
    assert "Jean-Pierre n'a pas encore rempli sa fiche." in body(run("@Jean-Pierre", who=ZOE))


def test_a_name_with_a_space_in_it_is_found() -> None:
    anne = member(9, "Anne Marie", profile={"city": "Nantes"})
    assert "Nantes" in body(run("@Anne", "Marie", directory=StaticDirectory((ME, anne))))


def test_unknown_or_ambiguous_member_is_explained() -> None:
    unknown = run("@Personne")
    assert "Je ne connais personne qui s'appelle @Personne" in body(unknown)
    assert unknown.effects == () and unknown.state is None
    twins = StaticDirectory((ME, member(20, "Zoé Martin"), member(21, "Zoé Durand")))
    assert "Plusieurs membres correspondent" in body(run("@Zo", directory=twins))


def test_card_reads_the_core_profile_not_the_ritual_state() -> None:
    ctx = context(CONFIG, FR, who=ZOE, state={"cards": {"8": {"bio": "stale"}}})
    text = plain_text(PROFILE.on_event(ctx, command(ZOE, "profile")).outbound[0].body)
    assert "Je fais des sites" in text and "stale" not in text


# 2. Editing fields


@pytest.mark.parametrize(
    ("args", "fields"),
    [
        (("set", "bio", "Je", "code", "en", "Python"), {"bio": "Je code en Python"}),
        (
            ("set", "skills", "design,no-code ,, copywriting"),
            {"skills": "design, no-code, copywriting"},
        ),
        (("set", "compétences", "design", ",", "design,", "SEO"), {"skills": "design, SEO"}),
        (("set", "competences", "Figma"), {"skills": "Figma"}),
        (("set", "lien", "https://jp.dev/portfolio"), {"link": "https://jp.dev/portfolio"}),
        (("set", "link", "http://jp.dev"), {"link": "http://jp.dev"}),
        (("set", "ville", "Saint-Étienne"), {"city": "Saint-Étienne"}),
        (("SET", "City", "Paris"), {"city": "Paris"}),
        (("clear", "ville"), {"city": None}),
        (("clear", "compétences"), {"skills": None}),
        (("clear", "bio"), {"bio": None}),
    ],
)
def test_set_and_clear_change_the_card_only_through_the_effect(
    args: tuple[str, ...], fields: dict[str, str | None]
) -> None:
    result = run(*args)
    assert result.effects == (SetProfile(member_id=ME.id, fields=fields),)
    assert result.state is None
    assert len(result.outbound) == 1


def test_after_set_the_reply_shows_the_updated_card() -> None:
    result = run("set", "ville", "Bordeaux", who=ZOE)
    text = body(result)
    assert "C'est noté" in text and "Bordeaux" in text and "Lyon" not in text
    assert "Je fais des sites" in text
    assert [r.data for r in result.records] == [{"field": "city"}]


def test_clear_confirms_which_field_was_removed() -> None:
    assert "j'ai retiré tes compétences" in body(run("clear", "skills", who=ZOE))


def test_limits_are_inclusive() -> None:
    assert run("set", "bio", "a" * 300).effects
    assert run("set", "city", "b" * 60).effects
    assert run("set", "skills", "c" * 200).effects
    assert run("set", "link", "https://x.fr/" + "d" * 187).effects


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("set", "bio", "a" * 301), "300 caractères maximum pour ta bio"),
        (("set", "skills", ", ".join(f"skill{i}" for i in range(30))), "200 caractères maximum"),
        (("set", "city", "v" * 61), "60 caractères maximum pour ta ville"),
        (("set", "link", "https://x.fr/" + "d" * 188), "200 caractères maximum pour ton lien"),
        (("set", "lien", "ftp://files.example"), "adresse web complète"),
        (("set", "lien", "javascript:alert(1)"), "adresse web complète"),
        (("set", "lien", "https://"), "adresse web complète"),
        (("set", "lien", "zoe.fr"), "adresse web complète"),
        (("set", "lien", "https://zoe.fr", "et", "plus"), "adresse web complète"),
        (("set", "lien", "http://[::1"), "adresse web complète"),
        (("set", "age", "42"), "Je ne connais pas le champ « age »"),
        (("clear", "age"), "Je ne connais pas le champ « age »"),
        (("set", "bio"), "Pour ta fiche"),
        (("set", "skills", ",", ","), "Pour ta fiche"),
        (("set",), "Pour ta fiche"),
        (("clear",), "Pour ta fiche"),
        (("edit", "bio", "x"), "Pour ta fiche"),
    ],
)
def test_bad_input_gets_the_usage_and_no_effect(args: tuple[str, ...], expected: str) -> None:
    assert_refused(run(*args), expected)


def test_texts_follow_the_community_locale_and_owner_overrides() -> None:
    ctx = context(CONFIG, EN, who=ME)
    assert "Your card is still empty" in plain_text(
        PROFILE.on_event(ctx, command(ME, "profile")).outbound[0].body
    )
    config = ProfileConfig(texts={"saved": "Bien reçu {{ member.name }} !"})
    result = PROFILE.on_event(
        context(config, FR, who=ME), command(ME, "profile", "set", "ville", "Lille")
    )
    assert plain_text(result.outbound[0].body).startswith("Bien reçu Jean-Pierre !")


def test_config_rejects_unknown_texts_and_bad_schedules() -> None:
    with pytest.raises(ValidationError, match="unknown text 'sved'"):
        ProfileConfig(texts={"sved": "x"})
    with pytest.raises(ValidationError):
        ProfileConfig(meet_schedule="every monday")
    assert ProfileConfig().meet_count == 3 and ProfileConfig().meet_schedule is None


# 3. /hub who


def test_who_finds_by_skill_city_bio_or_name_ignoring_case_and_accents() -> None:
    for word in ("DESIGN", "no-code", "nocode", "lyon", "sites", "zoe", "ZOÉ"):
        assert "Zoé" in body(run(word, verb="who")), word
    text = body(run("design", verb="qui"))
    assert "design, no-code" in text and "https://zoe.fr" in text
    assert "Jean-Pierre" not in text


def test_who_lists_names_without_pinging_anyone() -> None:
    (out,) = run("design", verb="who").outbound
    assert not [n for n in nodes(out.body) if isinstance(n, Mention | Link)]


def test_who_lists_skill_matches_first_and_at_most_ten() -> None:
    many = [member(100 + i, f"Membre {i}", profile={"bio": "je fais du design"}) for i in range(11)]
    expert = member(99, "Experte", profile={"skills": "Design"})
    (out,) = run("design", verb="who", directory=StaticDirectory((*many, expert))).outbound
    (listing,) = [b for b in out.body.blocks if isinstance(b, BulletList)]
    assert len(listing.items) == 10
    assert plain_inline(listing.items[0]).startswith("Experte")
    assert "Et 2 autres" in plain_text(out.body)


def test_who_with_nobody_suggests_adding_the_skill() -> None:
    result = run("Rust", verb="who")
    text = body(result)
    assert "Personne n'a encore « Rust »" in text
    assert "/hub profile set skills Rust" in text
    assert result.effects == () and result.state is None


def test_who_without_a_word_explains_how() -> None:
    assert "Dis-moi ce que tu cherches" in body(run(verb="who"))
    assert "Dis-moi ce que tu cherches" in body(run("--", verb="qui"))


# 4. Meet the members


def newcomer(member_id: int, days_ago: int, **profile: str) -> Member:
    return member(
        member_id,
        f"N{member_id}",
        profile=profile,
        joined_at=NOW - timedelta(days=days_ago),
    )


def meet(
    directory: StaticDirectory,
    state: dict[str, object] | None = None,
    config: ProfileConfig = MEET,
    manual: bool = False,
) -> RitualResult:
    ctx = context(config, FR, state=state, directory=directory)
    return PROFILE.on_occurrence(
        ctx, Occurrence(id=5, ritual="profile", scheduled_at=NOW, manual=manual)
    )


MEMBERS = StaticDirectory(
    (
        newcomer(1, 30, bio="La doyenne"),
        newcomer(2, 1, city="Nice"),  # no bio nor skills
        newcomer(3, 2, skills="SEO"),
        newcomer(4, 3, bio="Coach"),
        newcomer(5, 4, bio="Dev", skills="Python"),
    )
)


def test_meet_introduces_the_most_recent_members_with_a_card_to_every_space() -> None:
    result = meet(MEMBERS)
    assert [o.target for o in result.outbound] == [SpaceTarget(space="main")]
    assert {o.key for o in result.outbound} == {"profile:meet"}
    text = plain_text(result.outbound[0].body)
    assert "Faites connaissance" in text and "Inside Freelancing" in text
    assert "N3" in text and "SEO" in text and "N4" in text and "Coach" in text and "N5" in text
    assert "N2" not in text and "N1" not in text
    assert text.index("N3") < text.index("N4") < text.index("N5")
    assert js(result.state) == {"introduced": [3, 4, 5]}
    assert [r.member_id for r in result.records] == [3, 4, 5]


def test_meet_posts_to_the_configured_spaces_only() -> None:
    config = ProfileConfig(meet_schedule="0 10 * * MON", spaces=["main", "annonces"])
    result = meet(MEMBERS, config=config)
    assert [o.target for o in result.outbound] == [
        SpaceTarget(space="main"),
        SpaceTarget(space="annonces"),
    ]


def test_meet_never_introduces_anyone_twice_and_stays_quiet_when_nobody_is_new() -> None:
    first = meet(MEMBERS)
    assert first.state is not None
    second = meet(MEMBERS, dict(first.state), config=MEET.model_copy(update={"meet_count": 5}))
    text = plain_text(second.outbound[0].body)
    assert "N1" in text and "N3" not in text and "N2" not in text
    assert js(second.state) == {"introduced": [3, 4, 5, 1]}
    assert meet(MEMBERS, dict(second.state)) == NOTHING


def test_meet_with_one_member_says_so() -> None:
    result = meet(StaticDirectory((newcomer(3, 2, skills="SEO"),)))
    assert "Voici un membre arrivé récemment" in plain_text(result.outbound[0].body)


def test_meet_does_nothing_without_its_schedule_unless_fired_by_hand() -> None:
    assert meet(MEMBERS, config=CONFIG) == NOTHING
    assert meet(MEMBERS, config=CONFIG, manual=True).outbound


def test_meet_remembers_a_bounded_number_of_introduced_members() -> None:
    state: dict[str, object] = {"introduced": list(range(1000, 1000 + KEEP_INTRODUCED))}
    result = meet(MEMBERS, state)
    assert result.state is not None
    introduced = js(result.state)["introduced"]
    assert len(introduced) == KEEP_INTRODUCED
    assert introduced[-3:] == [3, 4, 5] and 1000 not in introduced


# 5. Member text stays literal on every platform


def assert_literal(rich: RichText) -> None:
    assert NASTY in plain_text(rich)
    found = list(nodes(rich))
    assert not [n for n in found if isinstance(n, Link | Mention)]
    assert all("gras" not in plain_inline(n.children) for n in found if isinstance(n, Bold))


def test_member_text_is_never_markup_links_or_mentions() -> None:
    nasty = member(9, "**Nina**", profile={"bio": NASTY, "skills": "design"})
    directory = StaticDirectory((ME, nasty))
    assert_literal(run(who=nasty).outbound[0].body)
    assert_literal(run("@Nina", directory=directory).outbound[0].body)
    saved = run("set", "bio", *NASTY.split(" "), who=nasty)
    assert saved.effects == (SetProfile(member_id=9, fields={"bio": NASTY}),)
    assert_literal(saved.outbound[0].body)
    (found,) = run("gras", verb="who", directory=directory).outbound
    assert "**Nina**" in plain_text(found.body)
    assert not [n for n in nodes(found.body) if isinstance(n, Link | Mention)]
    assert_literal(meet(directory).outbound[0].body)


def test_a_searched_word_stays_literal() -> None:
    (out,) = run("[x](https://evil)", verb="who").outbound
    assert "[x](https://evil)" in plain_text(out.body)
    assert not [n for n in nodes(out.body) if isinstance(n, Link | Mention)]


# 7. Merges and erasures


STATE = ProfileState(introduced=[3, 4, 5])


def test_a_link_renames_introduced_ids_without_duplicates() -> None:
    assert merged(STATE, kept=5, gone=3).introduced == [5, 4]
    assert merged(STATE, kept=9, gone=4).introduced == [3, 9, 5]
    assert merged(STATE, kept=3, gone=8) == STATE


def test_a_forgotten_member_is_purged_from_the_state() -> None:
    assert forgotten(STATE, 4).introduced == [3, 5]
    assert forgotten(STATE, 8) == STATE


def test_other_events_and_verbs_are_ignored() -> None:
    ctx = context(CONFIG, FR, who=ME)
    assert PROFILE.on_event(ctx, said(ME, "/hub profile")) == NOTHING
    assert PROFILE.on_event(ctx, command(ME, "poll")) == NOTHING
    assert PROFILE.on_event(context(CONFIG, FR), command(ME, "profile")) == NOTHING
