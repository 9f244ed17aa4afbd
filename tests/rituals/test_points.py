from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from hub.core.model import member_records
from hub.core.model.events import (
    Event,
    MessageReceived,
    ReactionAdded,
    RitualSignalled,
)
from hub.core.model.member_records import RitualState
from hub.core.model.messages import MemberTarget, Outbound, SpaceTarget
from hub.core.model.richtext import mentioned_members, plain_text
from hub.core.model.ritual import Occurrence, Record, RitualResult, StaticDirectory
from hub.rituals.points import Points, PointsConfig, PointsState, totals_from_ledger
from tests.rituals.conftest import COMMUNITY, NOW, command, context, js, member, said

POINTS = Points()
FR = Points.default_texts["fr"]
CONFIG = PointsConfig()
ZOE, JP, ALI = member(1, "Zoé"), member(7, "Jean-Pierre"), member(3, "Ali", "telegram")
DIRECTORY = StaticDirectory((ZOE, JP, ALI))

# 2026-11-29 is a Sunday; Paris is UTC+1 in November.
SUNDAY_2330_PARIS = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)
MONDAY_0030_PARIS = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)


@dataclass
class Run:
    """A sequence of events through the ritual, keeping the state and the whole ledger."""

    config: PointsConfig = CONFIG
    state: Mapping[str, Any] | RitualState = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)

    def __call__(
        self,
        event: Event,
        who: Any = None,
        *,
        now: datetime = NOW,
        admin: bool = False,
        directory: StaticDirectory = DIRECTORY,
    ) -> RitualResult:
        ctx = context(
            self.config, FR, state=self.state, who=who, now=now, admin=admin, directory=directory
        )
        result = POINTS.on_event(ctx, event)
        if result.state is not None:
            self.state = result.state
        self.records += result.records
        return result

    def total(self, member_id: int) -> int:
        return int(self.points().totals.all.get(member_id, 0))

    def points(self) -> PointsState:
        """The state as the ritual's model."""
        if isinstance(self.state, PointsState):
            return self.state
        return PointsState.model_validate(dict(self.state))

    def link(self, kept: int, gone: int) -> None:
        """What the core does to the state when two members are linked."""
        self.state = member_records.merged(self.points(), kept, gone)

    def forget(self, member_id: int) -> None:
        """What the core does to the state on the member's forget-me."""
        self.state = member_records.forgotten(self.points(), member_id)

    def post(self, now: datetime) -> RitualResult:
        ctx = context(self.config, FR, state=self.state, now=now, directory=DIRECTORY)
        return POINTS.on_occurrence(ctx, Occurrence(id=5, ritual="points", scheduled_at=now))


def message(who: Any, message_id: str = "1", *, space: str | None = "main") -> MessageReceived:
    return replace(
        said(who, "bonjour"), event_id=f"m{message_id}", message_id=message_id, space=space
    )


def reaction(who: Any, message_id: str = "1", emoji: str = "👍") -> ReactionAdded:
    return ReactionAdded(
        event_id=f"r{who.id}{message_id}{emoji}",
        community_id=COMMUNITY.id,
        platform="webchat",
        space="main",
        actor=who.identities[0],
        occurred_at=NOW,
        message_id=message_id,
        emoji=emoji,
    )


def signal(ritual: str, name: str, member_id: int, other: int | None = None) -> RitualSignalled:
    return RitualSignalled(
        event_id=f"s{ritual}{member_id}",
        community_id=COMMUNITY.id,
        platform="webchat",
        space=None,
        actor=ZOE.identities[0],
        occurred_at=NOW,
        ritual=ritual,
        name=name,
        member_id=member_id,
        other_member_id=other,
    )


def body(outbound: Outbound) -> str:
    return plain_text(outbound.body)


# 1. rules, caps and what earns nothing -----------------------------------------------------


def test_a_message_in_a_space_writes_a_ledger_entry_and_private_chats_earn_nothing() -> None:
    run = Run()
    result = run(message(ZOE), ZOE)
    (entry,) = result.records
    assert entry == Record(
        kind="points",
        member_id=1,
        data={
            "rule": "message",
            "points": 1,
            "reason": "message",
            "day": "2026-11-23",
            "week": "2026-W48",
            "month": "2026-11",
        },
    )
    assert run.total(1) == 1
    assert run(message(ZOE, "2", space=None), ZOE) == RitualResult()
    assert run.total(1) == 1


def test_daily_caps_stop_farming_per_rule_and_member_and_reset_at_local_midnight() -> None:
    run = Run()
    late = datetime(2026, 11, 23, 22, 59, tzinfo=UTC)  # 23:59 in Paris
    for i in range(12):
        run(message(ZOE, str(i)), ZOE, now=late)
    assert run.total(1) == 10  # message: 1 point, 10 times a day
    run(message(JP, "jp"), JP, now=late)
    assert run.total(7) == 1  # the cap is per member
    run(signal("icebreaker", "answered", 1), now=late)
    assert run.total(1) == 15  # and per rule
    run(message(ZOE, "after-midnight"), ZOE, now=late + timedelta(minutes=2))  # 00:01 in Paris
    assert run.total(1) == 16
    assert js(run.state)["today"]["day"] == "2026-11-24"
    assert "7" not in js(run.state)["today"]["counts"]  # only today's counts are kept


def test_icebreaker_answers_and_shoutouts_earn_their_rules_points() -> None:
    run = Run()
    run(signal("icebreaker", "answered", 1))
    run(signal("icebreaker", "answered", 1))
    assert run.total(1) == 5  # icebreaker_answer: 5 points, once a day
    run(signal("shoutout", "given", 7, 3))
    assert (run.total(7), run.total(3)) == (3, 5)
    run(signal("shoutout", "given", 7, None))
    assert run.total(7) == 6
    assert run(signal("shoutout", "other", 7, 3)) == RitualResult()
    assert run(signal("poll", "answered", 7)) == RitualResult()


def test_a_counted_reaction_rewards_the_author_once_per_reactor() -> None:
    run = Run()
    run(message(ZOE, "42"), ZOE)
    result = run(reaction(JP, "42", "🔥"), JP)
    assert [(r.member_id, r.data["rule"]) for r in result.records] == [(1, "reaction_received")]
    assert run.total(1) == 2
    run(reaction(JP, "42", "👏"), JP)  # a second emoji from the same reactor
    assert run.total(1) == 2
    run(reaction(ALI, "42", ":+1:"), ALI)
    run(message(ZOE, "43"), ZOE)
    run(reaction(JP, "43", "heart"), JP)
    run(reaction(ALI, "43", "❤"), ALI)  # without the variation selector
    assert run.total(1) == 6


def test_self_reactions_other_emoji_and_reactions_on_the_hubs_messages_give_nothing() -> None:
    run = Run()
    run(message(ZOE, "42"), ZOE)
    assert run(reaction(ZOE, "42"), ZOE).records == ()
    assert run(reaction(JP, "42", "😂"), JP).records == ()
    assert run(reaction(JP, "hub-message-9"), JP).records == ()  # never written by a member
    assert run.total(1) == 1


def test_the_reactions_emoji_list_is_configurable() -> None:
    run = Run(PointsConfig(reaction_emoji=["🦄"]))
    run(message(ZOE, "42"), ZOE)
    run(reaction(JP, "42", "👍"), JP)
    run(reaction(ALI, "42", "🦄"), ALI)
    assert run.total(1) == 2


def test_only_the_last_thousand_messages_are_remembered_for_reactions() -> None:
    run = Run(PointsConfig.model_validate({"rules": {"message": {"daily_cap": 1000}}}))
    for i in range(1001):
        run(message(ZOE, str(i)), ZOE)
    assert len(js(run.state)["authors"]) == 1000
    assert run(reaction(JP, "0"), JP).records == ()
    assert run(reaction(JP, "1000"), JP).records != ()


def test_rules_can_be_tuned_partially_and_typos_are_errors() -> None:
    config = PointsConfig.model_validate({"rules": {"message": {"points": 2}}})
    assert (config.rules.message.points, config.rules.message.daily_cap) == (2, 10)
    assert config.rules.kudos_received.points == 5
    with pytest.raises(ValidationError):
        PointsConfig.model_validate({"rules": {"mesage": {"points": 2}}})
    with pytest.raises(ValidationError):
        PointsConfig.model_validate({"texts": {"nope": "x"}})
    with pytest.raises(ValidationError):
        PointsConfig.model_validate({"badges": [{"name": "A", "threshold": 1}] * 2})


# 2. kudos ----------------------------------------------------------------------------------


def test_kudos_thank_the_member_where_asked_and_give_them_points() -> None:
    run = Run()
    result = run(command(JP, "kudos", "@Zoé", "merci", "pour", "la", "relecture"), JP)
    (thanks,) = result.outbound
    assert thanks.target == SpaceTarget(space="main", platform="webchat")
    assert body(thanks) == "🙌 Merci Zoé ! Jean-Pierre te dit : « merci pour la relecture »"
    assert mentioned_members(thanks.body) == {1}
    assert run.total(1) == 5
    kinds = {(r.kind, r.member_id) for r in result.records}
    assert kinds == {("points", 1), ("kudos", 1)}
    kudos = next(r for r in result.records if r.kind == "kudos")
    assert kudos.data["from"] == 7 and kudos.data["reason"] == "merci pour la relecture"
    ledger = next(r for r in result.records if r.kind == "points")
    assert ledger.data["reason"] == "kudos"  # the giver's words stay in their kudos alone


def test_kudos_asked_privately_also_reach_the_receiver() -> None:
    result = Run()(command(JP, "kudos", "@Zoé", "top", space=None), JP)
    reply_, told = result.outbound
    assert reply_.target == MemberTarget(member_id=7, platform="webchat")
    assert told.target == MemberTarget(member_id=1)
    assert "Jean-Pierre te remercie" in body(told)


def test_the_kudos_text_is_escaped_member_text() -> None:
    result = Run()(command(JP, "kudos", "@Zoé", "**gras**", "[x](https://evil.example)"), JP)
    assert "**gras** [x](https://evil.example)" in body(result.outbound[0])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("@Jean-Pierre", "moi", "même"), "les kudos, c'est pour les autres"),
        (("@Nobody", "merci"), "Je ne connais pas @Nobody"),
        (("@Zoé",), "/hub kudos @membre pourquoi"),
        (("merci", "Zoé"), "/hub kudos @membre pourquoi"),
        ((), "/hub kudos @membre pourquoi"),
        (("@Zoé", "x" * 281), "281 caractères : 280 au plus"),
    ],
)
def test_bad_kudos_get_a_short_reply_and_change_nothing(
    args: tuple[str, ...], expected: str
) -> None:
    result = Run()(command(JP, "kudos", *args), JP)
    (answer,) = result.outbound
    assert expected in body(answer)
    assert result.state is None and result.records == ()


def test_kudos_to_an_ambiguous_name_ask_to_be_more_precise() -> None:
    two = StaticDirectory((member(1, "Zoé Martin"), member(2, "Zoé Durand"), JP))
    result = Run()(command(JP, "kudos", "@Zoé", "merci"), JP, directory=two)
    assert "Plusieurs membres correspondent à @Zoé" in body(result.outbound[0])
    assert result.state is None


def test_kudos_received_are_capped_but_the_thanks_still_go_out() -> None:
    run = Run()
    for i in range(6):
        result = run(command(JP, "kudos", "@Zoé", f"merci {i}", event_id=f"k{i}"), JP)
    assert run.total(1) == 25  # 5 points, 5 times a day
    assert "Merci Zoé" in body(result.outbound[0])


# 3. ledger ---------------------------------------------------------------------------------


def test_totals_recomputed_from_the_ledger_equal_the_state() -> None:
    run = Run()
    run(message(ZOE, "1"), ZOE)
    run(message(JP, "2"), JP)
    run(reaction(JP, "1"), JP)
    run(reaction(ZOE, "2", "clap"), ZOE)
    run(signal("icebreaker", "answered", 3))
    run(signal("shoutout", "given", 7, 1))
    run(command(ALI, "kudos", "@Jean-Pierre", "merci"), ALI)
    run(command(ZOE, "points", "adjust", "@Ali", "-2", "doublon", space=None), ZOE, admin=True)
    run(message(ZOE, "3"), ZOE, now=NOW + timedelta(days=8))
    expected = {int(k): v for k, v in js(run.state)["totals"]["all"].items()}
    assert totals_from_ledger(run.records) == expected == {1: 8, 7: 10, 3: 3}


def test_only_the_current_and_previous_week_and_month_are_kept() -> None:
    run = Run()
    for days in (0, 7, 14, 40):
        run(message(ZOE, str(days)), ZOE, now=NOW + timedelta(days=days))
    totals = js(run.state)["totals"]
    assert sorted(totals["weeks"]) == ["2026-W53"]  # 2027-01-02: ISO week 53 of 2026
    assert sorted(totals["months"]) == ["2026-12", "2027-01"]
    assert totals["all"] == {"1": 4}
    run(message(ZOE, "later"), ZOE, now=NOW + timedelta(days=47))
    assert sorted(js(run.state)["totals"]["weeks"]) == ["2026-W53", "2027-W01"]


# 4. badges ---------------------------------------------------------------------------------


def test_a_badge_is_announced_exactly_once_when_its_threshold_is_crossed() -> None:
    run = Run(PointsConfig(spaces=["main", "annonces"]))
    for i in range(9):
        assert run(message(ZOE, str(i)), ZOE).outbound == ()
    crossing = run(message(ZOE, "9"), ZOE)
    assert [o.target for o in crossing.outbound] == [
        SpaceTarget(space="main"),
        SpaceTarget(space="annonces"),
    ]
    assert body(crossing.outbound[0]) == "🏅 Zoé obtient le badge Premier pas !"
    assert any(r.kind == "badge" and r.member_id == 1 for r in crossing.records)
    run(signal("icebreaker", "answered", 1))
    assert run.total(1) == 15
    assert js(run.state)["badges"] == {"1": ["Premier pas"]}
    announcements = [r for r in run.records if r.kind == "badge"]
    assert len(announcements) == 1


def test_badges_go_to_every_space_when_none_is_configured_and_can_be_customised() -> None:
    config = PointsConfig.model_validate({"badges": [{"name": "Bavard", "threshold": 1}]})
    result = Run(config)(message(ZOE), ZOE)
    (post,) = result.outbound  # every space of the test community is named "main"
    assert post.target == SpaceTarget(space="main")
    assert "Bavard" in body(post)


def test_points_shows_the_members_total_rank_and_badges_where_asked() -> None:
    run = Run()
    for i in range(10):
        run(message(ZOE, f"z{i}"), ZOE)
    for i in range(3):
        run(message(JP, f"j{i}"), JP)
    result = run(command(JP, "points"), JP)
    assert result.outbound[0].target == SpaceTarget(space="main", platform="webchat")
    assert "Tu as 3 points : 2e sur 2." in body(result.outbound[0])
    assert "Prochain badge : Premier pas, encore 7 points." in body(result.outbound[0])
    mine = body(run(command(ZOE, "points", space=None), ZOE).outbound[0])
    assert "1er sur 2" in mine and "Tes badges : Premier pas." in mine
    fresh = body(run(command(ALI, "points"), ALI).outbound[0])
    assert "Tu n'as pas encore de points" in fresh
    assert "/hub points" in body(run(command(ALI, "points", "moi"), ALI).outbound[0])


# 5. leaderboards ---------------------------------------------------------------------------


def scored_run() -> Run:
    """Zoé 3 points this week; Jean-Pierre 2 this week and 5 earlier this month; Ali 4 last
    month."""
    run = Run()
    last_month = datetime(2026, 10, 30, 12, tzinfo=UTC)
    for i in range(4):
        run(message(ALI, f"a{i}"), ALI, now=last_month)
    run(signal("icebreaker", "answered", 7), now=datetime(2026, 11, 10, 12, tzinfo=UTC))
    for i in range(3):
        run(message(ZOE, f"z{i}"), ZOE)
    for i in range(2):
        run(message(JP, f"j{i}"), JP)
    return run


@pytest.mark.parametrize(
    ("verb", "args", "title", "lines"),
    [
        ("leaderboard", (), "de la semaine", ["1. Zoé — 3 pts", "2. Jean-Pierre — 2 pts"]),
        ("classement", ("semaine",), "de la semaine", ["1. Zoé", "2. Jean-Pierre"]),
        ("leaderboard", ("month",), "du mois", ["1. Jean-Pierre — 7 pts", "2. Zoé — 3 pts"]),
        ("classement", ("MOIS",), "du mois", ["1. Jean-Pierre", "2. Zoé"]),
        ("leaderboard", ("all",), "de tous les temps", ["1. Jean-Pierre", "2. Ali", "3. Zoé"]),
        ("classement", ("tout",), "de tous les temps", ["1. Jean-Pierre", "2. Ali", "3. Zoé"]),
    ],
)
def test_the_leaderboard_answers_for_each_period(
    verb: str, args: tuple[str, ...], title: str, lines: list[str]
) -> None:
    result = scored_run()(command(ZOE, verb, *args), ZOE)
    (answer,) = result.outbound
    text = body(answer)
    assert f"Classement {title}" in text
    positions = [text.index(line) for line in lines]
    assert positions == sorted(positions)
    assert mentioned_members(answer.body) == set()  # names only: nobody is pinged by a leaderboard
    assert result.state is None


def test_the_leaderboard_shows_ten_members_shares_ranks_and_skips_departed_members() -> None:
    people = [member(100 + i, f"Membre {i:02d}") for i in range(12)]
    run = Run()
    for i, someone in enumerate(people):
        for j in range(1 + i // 2):
            run(message(someone, f"{i}-{j}"), someone)
    still_here = StaticDirectory(tuple(people[:11]))  # "Membre 11" left
    text = body(run(command(ZOE, "leaderboard"), ZOE, directory=still_here).outbound[0])
    assert "Membre 11" not in text
    assert "• 1. Membre 10 — 6 pts" in text
    assert "• 2. Membre 08 — 5 pts" in text and "• 2. Membre 09 — 5 pts" in text
    assert "• 10. Membre 00 — 1 pt" in text and "Membre 01" not in text
    assert text.count("• ") == 10


def test_an_empty_period_or_an_unknown_one_gets_a_short_reply() -> None:
    run = Run()
    assert "Personne n'a encore de points cette semaine" in body(
        run(command(ZOE, "leaderboard"), ZOE).outbound[0]
    )
    assert "/hub classement semaine" in body(
        run(command(ZOE, "leaderboard", "année"), ZOE).outbound[0]
    )


def test_weeks_turn_at_midnight_on_monday_in_the_communitys_timezone() -> None:
    run = Run()
    late = run(message(ZOE, "late"), ZOE, now=SUNDAY_2330_PARIS)
    early = run(message(JP, "early"), JP, now=MONDAY_0030_PARIS)
    assert late.records[0].data["week"] == "2026-W48"
    assert early.records[0].data["week"] == "2026-W49"
    assert early.records[0].data["day"] == "2026-11-30"
    board = body(
        run(
            command(ZOE, "leaderboard", now=MONDAY_0030_PARIS), ZOE, now=MONDAY_0030_PARIS
        ).outbound[0]
    )
    assert "Jean-Pierre" in board and "Zoé" not in board


def test_the_weekly_post_shows_the_week_that_just_ended() -> None:
    run = Run(PointsConfig(leaderboard_schedule="0 9 * * MON", spaces=["main", "annonces"]))
    run(message(ZOE, "late"), ZOE, now=SUNDAY_2330_PARIS)
    run(message(JP, "early"), JP, now=MONDAY_0030_PARIS)
    monday_9 = datetime(2026, 11, 30, 8, tzinfo=UTC)
    result = run.post(monday_9)
    assert [o.target for o in result.outbound] == [
        SpaceTarget(space="main"),
        SpaceTarget(space="annonces"),
    ]
    text = body(result.outbound[0])
    assert "Le classement de la semaine" in text and "1. Zoé — 1 pt" in text
    assert "Jean-Pierre" not in text
    assert result.records[0].data["week"] == "2026-W48"


def test_no_weekly_post_when_nobody_scored() -> None:
    run = Run()
    assert run.post(datetime(2026, 11, 30, 8, tzinfo=UTC)) == RitualResult()
    run(message(ZOE, "this-week"), ZOE, now=MONDAY_0030_PARIS)
    assert run.post(datetime(2026, 11, 30, 8, tzinfo=UTC)) == RitualResult()


# 6. adjustments ----------------------------------------------------------------------------


def test_an_owner_adjusts_points_privately_as_a_ledger_entry() -> None:
    run = Run()
    result = run(
        command(ZOE, "points", "adjust", "@Jean-Pierre", "+12", "atelier", "animé", space=None),
        ZOE,
        admin=True,
    )
    entry = next(r for r in result.records if r.kind == "points")
    assert entry.member_id == 7
    assert entry.data["rule"] == "adjustment" and entry.data["points"] == 12
    assert entry.data["reason"] == "atelier animé"
    assert "+12 pour Jean-Pierre, qui a maintenant 12 points" in body(result.outbound[0])
    assert "Premier pas" in body(result.outbound[1])  # crossing a threshold still announces
    run(
        command(ZOE, "points", "adjust", "@Jean-Pierre", "-5", "erreur", space=None),
        ZOE,
        admin=True,
    )
    assert run.total(7) == 7


def test_adjustments_are_refused_to_members_and_in_the_group() -> None:
    members = Run()(command(JP, "points", "adjust", "@Zoé", "+100", "moi", space=None), JP)
    (refused,) = members.outbound
    assert body(refused) == "Seuls les responsables de Inside Freelancing peuvent faire ça."
    assert members.state is None and members.records == ()
    group = Run()(command(ZOE, "points", "adjust", "@Jean-Pierre", "+1", "x"), ZOE, admin=True)
    assert "Écris-moi en privé pour ça" in body(group.outbound[0])
    assert group.state is None


@pytest.mark.parametrize(
    "args",
    [("@Jean-Pierre", "12", "x"), ("@Jean-Pierre", "+0", "x"), ("@Jean-Pierre", "+3"), ("+3", "x")],
)
def test_a_malformed_adjustment_gets_the_usage(args: tuple[str, ...]) -> None:
    result = Run()(command(ZOE, "points", "adjust", *args, space=None), ZOE, admin=True)
    assert "/hub points adjust @membre +N raison" in body(result.outbound[0])
    assert result.state is None


# 7. merges and forgetting ------------------------------------------------------------------


def test_a_merge_adds_totals_merges_todays_counts_and_joins_badges_silently() -> None:
    badges = [{"name": "Un", "threshold": 1}, {"name": "Six", "threshold": 6}]
    run = Run(PointsConfig.model_validate({"badges": badges}))
    for i in range(4):
        run(message(ZOE, f"z{i}"), ZOE)
    for i in range(6):
        run(message(JP, f"j{i}"), JP)
    assert js(run.state)["badges"] == {"1": ["Un"], "7": ["Un", "Six"]}
    run.link(1, 7)
    assert run.total(1) == 10 and "7" not in js(run.state)["totals"]["all"]
    assert js(run.state)["totals"]["weeks"]["2026-W48"] == {"1": 10}
    assert js(run.state)["today"]["counts"] == {"1": {"message": 10}}
    assert js(run.state)["badges"] == {"1": ["Un", "Six"]}
    assert run(message(ZOE, "more"), ZOE).records == ()  # the merged counts reach the cap
    assert run(reaction(ZOE, "j0"), ZOE).records == ()  # JP's messages are now Zoé's own
    again = run(reaction(ALI, "z0"), ALI)
    assert run.total(1) == 11 and again.outbound == ()  # "Six" is not announced twice
    assert totals_from_ledger(
        [replace(r, member_id=1) if r.member_id == 7 else r for r in run.records]
    ) == {1: 11}


def test_forgetting_a_member_drops_everything_about_them() -> None:
    run = Run()
    run(message(ZOE, "z"), ZOE)
    run(message(JP, "j"), JP)
    run(reaction(ZOE, "j"), ZOE)
    for i in range(10):
        run(message(ZOE, f"z{i}"), ZOE, now=NOW + timedelta(hours=1))
    run.forget(1)
    state = js(run.points())
    assert state["totals"]["all"] == {"7": 2}
    assert all("1" not in bucket for bucket in state["totals"]["weeks"].values())
    assert all("1" not in bucket for bucket in state["totals"]["months"].values())
    assert "1" not in state["today"]["counts"] and state["badges"] == {}
    assert [e["author"] for e in state["authors"]] == [7]
    assert state["authors"][0]["reactors"] == []


def test_texts_can_be_overridden() -> None:
    config = PointsConfig(texts={"kudos_thanks": "Bravo {{ receiver.name }} ({{ reason }})"})
    result = Run(config)(command(JP, "kudos", "@Zoé", "top"), JP)
    assert body(result.outbound[0]) == "Bravo Zoé (top)"
