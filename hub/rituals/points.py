"""Points: members earn points for taking part (messages, icebreaker answers, shout-outs,
kudos, reactions), win badges at thresholds and see a weekly, monthly and all-time leaderboard.

Every award is a `points` record (the append-only ledger); the state only keeps running totals
(all-time, the current and previous week and month) and today's per-rule counts, which cap each
rule per member and community calendar day so nobody can farm points.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Annotated, Any, ClassVar

from pydantic import Field, field_validator, model_validator

from hub.core.config.models import Cron, RitualSection, Section
from hub.core.model import catalogue
from hub.core.model.domain import Member
from hub.core.model.events import (
    CommandInvoked,
    Event,
    MemberForgotten,
    MembersMerged,
    MessageReceived,
    ReactionAdded,
    RitualSignalled,
)
from hub.core.model.mentions import is_mention
from hub.core.model.messages import Outbound
from hub.core.model.ritual import NOTHING, Occurrence, Record, RitualContext, RitualResult
from hub.core.model.templates import TemplateSource
from hub.rituals.base import (
    check_texts,
    day_key,
    local,
    member_vars,
    month_key,
    posts,
    privately,
    refusal,
    reply,
    text,
    week_key,
)

REASON_MAX = 280  # characters of a kudos or adjustment reason
KEEP_MESSAGES = 1000  # the most recent messages whose reactions still count
TOP = 10  # members shown on a leaderboard
ADJUST_MAX = 100_000  # the largest adjustment an owner may make at once
PERIODS = {
    "week": "week",
    "semaine": "week",
    "month": "month",
    "mois": "month",
    "all": "all",
    "tout": "all",
}
_DELTA = re.compile(r"^[+-]\d{1,6}$")

DEFAULT_RULES: dict[str, dict[str, int]] = {
    "message": {"points": 1, "daily_cap": 10},
    "icebreaker_answer": {"points": 5, "daily_cap": 1},
    "shoutout_given": {"points": 3, "daily_cap": 3},
    "shoutout_received": {"points": 5, "daily_cap": 5},
    "kudos_received": {"points": 5, "daily_cap": 5},
    "reaction_received": {"points": 1, "daily_cap": 10},
}


class Rule(Section):
    """How many points one action earns, and how many times a day it may earn them."""

    points: Annotated[int, Field(ge=0, le=1000)]
    daily_cap: Annotated[int, Field(ge=1, le=1000)]


class Rules(Section):
    """`rituals.points.rules`: one entry per rule; a partial entry keeps the other default."""

    message: Rule = Rule(**DEFAULT_RULES["message"])
    icebreaker_answer: Rule = Rule(**DEFAULT_RULES["icebreaker_answer"])
    shoutout_given: Rule = Rule(**DEFAULT_RULES["shoutout_given"])
    shoutout_received: Rule = Rule(**DEFAULT_RULES["shoutout_received"])
    kudos_received: Rule = Rule(**DEFAULT_RULES["kudos_received"])
    reaction_received: Rule = Rule(**DEFAULT_RULES["reaction_received"])

    @model_validator(mode="before")
    @classmethod
    def _partial_entries(cls, data: Any) -> Any:
        """`message: {points: 2}` keeps message's default cap rather than failing."""
        if not isinstance(data, Mapping):
            return data
        return {
            name: {**DEFAULT_RULES[name], **value}
            if name in DEFAULT_RULES and isinstance(value, Mapping)
            else value
            for name, value in data.items()
        }

    def rule(self, name: str) -> Rule:
        """The settings of the rule called `name`."""
        value = getattr(self, name)
        assert isinstance(value, Rule)
        return value


class Badge(Section):
    """A badge a member earns once their all-time total reaches `threshold`."""

    name: Annotated[str, Field(min_length=1, max_length=60)]
    threshold: Annotated[int, Field(ge=1)]


class PointsConfig(RitualSection):
    """`rituals.points`: rules, badges, counted reactions, the weekly leaderboard and texts.

    `spaces` is where badges and the weekly leaderboard are posted (empty: every space)."""

    rules: Rules = Field(default_factory=Rules)
    badges: list[Badge] = Field(
        default_factory=lambda: [
            Badge(name="Premier pas", threshold=10),
            Badge(name="Pilier", threshold=100),
            Badge(name="Légende", threshold=500),
        ]
    )
    reaction_emoji: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=lambda: [
            *("👍", "❤️", "🔥", "🙏", "👏"),
            *("+1", "heart", "fire", "pray", "clap"),
        ]
    )
    leaderboard_schedule: Cron | None = None
    texts: dict[str, TemplateSource] = Field(default_factory=dict)

    @field_validator("texts")
    @classmethod
    def _known(cls, texts: dict[str, str]) -> dict[str, str]:
        check_texts(texts, Points.default_texts)
        return texts

    def schedules(self) -> dict[str, str]:
        """The weekly leaderboard post, when scheduled."""
        return {"leaderboard": self.leaderboard_schedule} if self.leaderboard_schedule else {}

    @field_validator("badges")
    @classmethod
    def _unique(cls, badges: list[Badge]) -> list[Badge]:
        names = [b.name for b in badges]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"badge '{duplicates[0]}' is listed twice")
        return badges


class Points:
    """Keeps the ledger, the totals, the badges and the leaderboards."""

    name: ClassVar[str] = "points"
    config_model: ClassVar[type[RitualSection]] = PointsConfig
    always_on: ClassVar[bool] = False
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("points")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("points")
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("points")

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Award points for what members do; answer kudos, points and leaderboard commands."""
        handler = _HANDLERS.get(type(event))
        return handler(ctx, event) if handler is not None else NOTHING

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Post the top of the week that just ended (a Monday-morning post shows last week)."""
        config = _config(ctx)
        week = week_key(ctx, local(ctx) - timedelta(days=1))
        entries = _ranking(ctx, _totals(ctx)["weeks"].get(week, {}))[:TOP]
        if not entries:
            return NOTHING
        body = text(
            ctx, config.texts.get("leaderboard_weekly"), "leaderboard_weekly", entries=entries
        )
        outbound = posts(ctx, "points:leaderboard", body)
        top = [{"member_id": e["id"], "points": e["points"], "rank": e["rank"]} for e in entries]
        record = Record(kind="leaderboard", data={"week": week, "top": top})
        return RitualResult(outbound=outbound, records=(record,))


def totals_from_ledger(records: Iterable[Record]) -> dict[int, int]:
    """Every member's all-time total recomputed from the `points` records alone: the state's
    totals must always equal it (the ledger is the truth, the state a running sum)."""
    totals: dict[int, int] = {}
    for record in records:
        if record.kind == "points" and record.member_id is not None:
            totals[record.member_id] = totals.get(record.member_id, 0) + int(record.data["points"])
    return totals


class _Answer(Exception):
    """A command ends with a short reply (bad input, refusal): the state stays unchanged."""

    def __init__(self, key: str, **variables: Any) -> None:
        super().__init__(key)
        self.key, self.variables = key, variables


class _Book:
    """A working copy of the state for one decision: awards update the totals, today's counts
    and the badges, and collect their ledger records and badge announcements."""

    def __init__(self, ctx: RitualContext) -> None:
        self.ctx, self.config = ctx, _config(ctx)
        self.day, self.week, self.month = day_key(ctx), week_key(ctx), month_key(ctx)
        self.totals = _pruned(ctx, _totals(ctx))
        today = ctx.state.get("today", {})
        counts = today.get("counts", {}) if today.get("day") == self.day else {}
        self.counts: dict[str, dict[str, int]] = {m: dict(c) for m, c in counts.items()}
        self.badges = {m: list(b) for m, b in ctx.state.get("badges", {}).items()}
        self.records: list[Record] = []
        self.outbound: list[Outbound] = []

    def award(self, member_id: int, rule: str, reason: str) -> int:
        """Give `rule`'s points unless the member reached its cap today; the points given."""
        settings = self.config.rules.rule(rule)
        counts = self.counts.setdefault(str(member_id), {})
        if settings.points == 0 or counts.get(rule, 0) >= settings.daily_cap:
            return 0
        counts[rule] = counts.get(rule, 0) + 1
        self.add(member_id, rule, settings.points, reason)
        return settings.points

    def add(self, member_id: int, rule: str, points: int, reason: str) -> None:
        """Write one ledger entry and add it to every running total."""
        key = str(member_id)
        weeks, months = self.totals["weeks"], self.totals["months"]
        for bucket in (
            self.totals["all"],
            weeks.setdefault(self.week, {}),
            months.setdefault(self.month, {}),
        ):
            bucket[key] = bucket.get(key, 0) + points
        data = {"rule": rule, "points": points, "reason": reason}
        data |= {"day": self.day, "week": self.week, "month": self.month}
        self.records.append(Record(kind="points", member_id=member_id, data=data))
        self._badges(member_id)

    def total(self, member_id: int) -> int:
        """The member's all-time total so far."""
        return int(self.totals["all"].get(str(member_id), 0))

    def _badges(self, member_id: int) -> None:
        """Grant (and announce, once) every badge whose threshold the member now reaches."""
        earned = self.badges.get(str(member_id), [])
        new = [
            b
            for b in self.config.badges
            if b.threshold <= self.total(member_id) and b.name not in earned
        ]
        if not new:
            return
        self.badges[str(member_id)] = [*earned, *(b.name for b in new)]
        member = self.ctx.directory.member(member_id)
        for badge in new:
            data = {"badge": badge.name, "threshold": badge.threshold}
            self.records.append(Record(kind="badge", member_id=member_id, data=data))
            if member is not None:
                self.outbound += _announcement(self.ctx, self.config, member, badge.name)

    def state(self, **extra: Any) -> dict[str, Any]:
        """The new state: the totals, today's counts and the badges (plus `extra` parts)."""
        today = {"day": self.day, "counts": {m: c for m, c in self.counts.items() if c}}
        return {
            **self.ctx.state,
            "totals": self.totals,
            "today": today,
            "badges": self.badges,
            **extra,
        }

    def result(self, *outbound: Outbound, **extra: Any) -> RitualResult:
        """What the ritual decided: the replies given, then the badge announcements."""
        return RitualResult(
            outbound=(*outbound, *self.outbound),
            state=self.state(**extra),
            records=tuple(self.records),
        )


# --- events ---------------------------------------------------------------------------------


def _on_message(ctx: RitualContext, event: Event) -> RitualResult:
    """A message in a space earns `message` points and is remembered for its reactions."""
    assert isinstance(event, MessageReceived)
    if event.space is None or ctx.member is None:
        return NOTHING
    book = _Book(ctx)
    book.award(ctx.member.id, "message", "message")
    key = _message_key(event.platform, event.space, event.message_id)
    entry = {"message": key, "author": ctx.member.id, "reactors": []}
    authors = [*_authors(ctx), entry][-KEEP_MESSAGES:]
    return book.result(authors=authors)


def _on_reaction(ctx: RitualContext, event: Event) -> RitualResult:
    """A counted emoji on a member's message earns its author points, once per reactor."""
    assert isinstance(event, ReactionAdded)
    if ctx.member is None or _emoji(event.emoji) not in _counted_emoji(_config(ctx)):
        return NOTHING
    authors = _authors(ctx)
    key = _message_key(event.platform, event.space, event.message_id)
    entry = next((e for e in authors if e["message"] == key), None)
    if entry is None or ctx.member.id in (entry["author"], *entry["reactors"]):
        return NOTHING
    entry["reactors"] = [*entry["reactors"], ctx.member.id]
    book = _Book(ctx)
    book.award(int(entry["author"]), "reaction_received", _emoji(event.emoji))
    return book.result(authors=authors)


def _on_signal(ctx: RitualContext, event: Event) -> RitualResult:
    """Icebreaker answers and shout-outs (given and received) earn their rules' points."""
    assert isinstance(event, RitualSignalled)
    book = _Book(ctx)
    if (event.ritual, event.name) == ("icebreaker", "answered"):
        book.award(event.member_id, "icebreaker_answer", "icebreaker")
    elif (event.ritual, event.name) == ("shoutout", "given"):
        book.award(event.member_id, "shoutout_given", "shoutout")
        nominee = event.other_member_id
        if nominee is not None and nominee != event.member_id:
            book.award(nominee, "shoutout_received", "shoutout")
    else:
        return NOTHING
    return book.result()


def _on_merge(ctx: RitualContext, event: Event) -> RitualResult:
    """`merged` is now `kept`: totals add up, today's counts merge, badges join (unannounced)."""
    assert isinstance(event, MembersMerged)
    return RitualResult(state=_rekeyed(ctx, str(event.merged), str(event.kept)))


def _on_forget(ctx: RitualContext, event: Event) -> RitualResult:
    """Drop the member's totals, counts, badges and messages."""
    assert isinstance(event, MemberForgotten)
    return RitualResult(state=_rekeyed(ctx, str(event.member_id), None))


def _on_command(ctx: RitualContext, event: Event) -> RitualResult:
    """Run a verb this ritual owns; a bad one ends with a short reply and no state change."""
    assert isinstance(event, CommandInvoked)
    command = _COMMANDS.get(event.name)
    if command is None or ctx.member is None:
        return NOTHING
    try:
        return command(ctx, event)
    except _Answer as answer:
        body = text(ctx, _config(ctx).texts.get(answer.key), answer.key, **answer.variables)
        return RitualResult(outbound=(reply(ctx, event, f"points:{answer.key}", body),))


# --- commands -------------------------------------------------------------------------------


def _kudos(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """`/hub kudos @member why…`: thank them where asked and give them `kudos_received`."""
    assert ctx.member is not None
    if len(event.args) < 2 or not is_mention(event.args[0]):
        raise _Answer("kudos_usage")
    receiver = _member(ctx, event, event.args[0])
    reason = _reason(event.args[1:], "kudos_usage")
    if receiver.id == ctx.member.id:
        raise _Answer("kudos_self")
    config, book = _config(ctx), _Book(ctx)
    points = book.award(receiver.id, "kudos_received", "kudos")  # the words live in the kudos
    data = {"from": ctx.member.id, "reason": reason, "platform": event.platform, "points": points}
    book.records.append(Record(kind="kudos", member_id=receiver.id, data=data))
    variables = {"receiver": member_vars(receiver), "reason": reason}
    thanks = text(ctx, config.texts.get("kudos_thanks"), "kudos_thanks", **variables)
    outbound = [reply(ctx, event, "points:kudos", thanks)]
    if event.space is None:
        told = text(ctx, config.texts.get("kudos_told"), "kudos_told", **variables)
        outbound.append(privately(ctx, receiver.id, f"points:kudos:{receiver.id}", told))
    return book.result(*outbound)


def _points(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """`/hub points`: the member's total, rank and badges; `points adjust` for the owners."""
    if event.args and event.args[0].lower() == "adjust":
        return _adjust(ctx, event)
    if event.args:
        raise _Answer("points_usage")
    assert ctx.member is not None
    config, me = _config(ctx), ctx.member.id
    totals = _totals(ctx)["all"]
    total = int(totals.get(str(me), 0))
    ranking = _ranking(ctx, totals)
    rank = next((e["rank"] for e in ranking if e["id"] == me), None)
    badges = list(ctx.state.get("badges", {}).get(str(me), []))
    upcoming = [b for b in config.badges if b.name not in badges and b.threshold > total]
    nearest = min(upcoming, key=lambda b: b.threshold, default=None)
    next_badge = (
        None
        if nearest is None
        else {
            "name": nearest.name,
            "missing": nearest.threshold - total,
        }
    )
    variables = {"total": total, "rank": rank, "ranked": len(ranking), "badges": badges}
    body = text(ctx, config.texts.get("my_points"), "my_points", **variables, next_badge=next_badge)
    return RitualResult(outbound=(reply(ctx, event, "points:mine", body),))


def _adjust(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """`/hub points adjust @member +N|-N reason` (owners, privately): a ledger correction."""
    config = _config(ctx)
    refused = refusal(ctx, event, config.texts, admin=True, private=True)
    if refused is not None:
        return RitualResult(outbound=(refused,))
    args = event.args[1:]
    if len(args) < 3 or not is_mention(args[0]) or not _DELTA.match(args[1]):
        raise _Answer("adjust_usage")
    delta = int(args[1])
    if delta == 0 or abs(delta) > ADJUST_MAX:
        raise _Answer("adjust_usage")
    receiver = _member(ctx, event, args[0])
    reason = _reason(args[2:], "adjust_usage")
    book = _Book(ctx)
    book.add(receiver.id, "adjustment", delta, reason)
    variables = {"receiver": member_vars(receiver), "delta": f"{delta:+d}"}
    body = text(
        ctx, config.texts.get("adjusted"), "adjusted", **variables, total=book.total(receiver.id)
    )
    return book.result(reply(ctx, event, "points:adjusted", body))


def _leaderboard(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """`/hub leaderboard [week|month|all]` (or `classement semaine|mois|tout`): the top 10."""
    period = PERIODS.get(event.args[0].lower()) if event.args else "week"
    if period is None:
        raise _Answer("leaderboard_usage")
    totals = _totals(ctx)
    scores = {
        "week": totals["weeks"].get(week_key(ctx), {}),
        "month": totals["months"].get(month_key(ctx), {}),
        "all": totals["all"],
    }[period]
    entries = _ranking(ctx, scores)[:TOP]
    if not entries:
        raise _Answer("leaderboard_empty", period=period)
    config = _config(ctx)
    body = text(ctx, config.texts.get("leaderboard"), "leaderboard", period=period, entries=entries)
    return RitualResult(outbound=(reply(ctx, event, "points:leaderboard", body),))


def _member(ctx: RitualContext, event: CommandInvoked, token: str) -> Member:
    """The one member `token` names, or a reply saying why not."""
    found = ctx.directory.find(token, event.platform)
    if not found:
        raise _Answer("unknown_member", token=token)
    if len(found) > 1:
        raise _Answer("ambiguous_member", token=token)
    return found[0]


def _reason(words: tuple[str, ...], usage: str) -> str:
    """The free text after the member and amount: required, and short."""
    reason = " ".join(words).strip()
    if not reason:
        raise _Answer(usage)
    if len(reason) > REASON_MAX:
        raise _Answer("reason_too_long", length=len(reason), limit=REASON_MAX)
    return reason


# --- state ----------------------------------------------------------------------------------


def _totals(ctx: RitualContext) -> dict[str, Any]:
    """A mutable copy of the running totals: all-time, per week key, per month key."""
    totals = ctx.state.get("totals", {})

    def scores(bucket: Mapping[str, Any]) -> dict[str, int]:
        return {member: int(points) for member, points in bucket.items()}

    return {
        "all": scores(totals.get("all", {})),
        "weeks": {w: scores(b) for w, b in totals.get("weeks", {}).items()},
        "months": {m: scores(b) for m, b in totals.get("months", {}).items()},
    }


def _pruned(ctx: RitualContext, totals: dict[str, Any]) -> dict[str, Any]:
    """Only the current and previous week and month are kept, so the state stays small."""
    today = local(ctx)
    weeks = {week_key(ctx), week_key(ctx, today - timedelta(days=7))}
    months = {month_key(ctx), month_key(ctx, today.replace(day=1) - timedelta(days=1))}
    return {
        "all": totals["all"],
        "weeks": {w: b for w, b in totals["weeks"].items() if w in weeks},
        "months": {m: b for m, b in totals["months"].items() if m in months},
    }


def _authors(ctx: RitualContext) -> list[dict[str, Any]]:
    """A mutable copy of the recent messages: who wrote each, and who already reacted."""
    return [
        {"message": e["message"], "author": int(e["author"]), "reactors": list(e["reactors"])}
        for e in ctx.state.get("authors", [])
    ]


def _rekeyed(ctx: RitualContext, old: str, new: str | None) -> dict[str, Any]:
    """The state with member `old` folded into `new` (merge) or removed (`new` None)."""
    totals = _totals(ctx)
    buckets = [totals["all"], *totals["weeks"].values(), *totals["months"].values()]
    for bucket in buckets:
        _fold(bucket, old, new, lambda a, b: a + b)
    today = ctx.state.get("today", {})
    counts = {m: dict(c) for m, c in today.get("counts", {}).items()}
    _fold(counts, old, new, lambda a, b: {r: a.get(r, 0) + b.get(r, 0) for r in {*a, *b}})
    badges = {m: list(b) for m, b in ctx.state.get("badges", {}).items()}
    _fold(badges, old, new, lambda a, b: [*a, *(n for n in b if n not in a)])
    return {
        **ctx.state,
        "totals": totals,
        "today": {"day": today.get("day"), "counts": counts},
        "badges": badges,
        "authors": _rekeyed_authors(_authors(ctx), int(old), None if new is None else int(new)),
    }


def _fold(values: dict[str, Any], old: str, new: str | None, combine: Callable[..., Any]) -> None:
    """Move `values[old]` onto `values[new]` (combining with what is there), or drop it."""
    if old not in values:
        return
    moved = values.pop(old)
    if new is not None:
        values[new] = combine(values[new], moved) if new in values else moved


def _rekeyed_authors(
    authors: list[dict[str, Any]], old: int, new: int | None
) -> list[dict[str, Any]]:
    """Messages by `old` become `new`'s (or are dropped); so do their reactions."""
    kept: list[dict[str, Any]] = []
    for entry in authors:
        if entry["author"] == old and new is None:
            continue
        reactors = [new if r == old else r for r in entry["reactors"]]
        entry["reactors"] = list(dict.fromkeys(r for r in reactors if r is not None))
        entry["author"] = new if entry["author"] == old else entry["author"]
        kept.append(entry)
    return kept


# --- helpers --------------------------------------------------------------------------------


def _ranking(ctx: RitualContext, scores: Mapping[str, int]) -> list[dict[str, Any]]:
    """Members with points, best first, ties sharing a rank; names without mentions, and
    members no longer in the directory left out."""
    present = [
        (found, int(points))
        for key, points in scores.items()
        if int(points) > 0 and (found := ctx.directory.member(int(key))) is not None
    ]
    present.sort(key=lambda pair: (-pair[1], pair[0].id))
    entries: list[dict[str, Any]] = []
    for index, (found, points) in enumerate(present):
        rank = entries[-1]["rank"] if entries and entries[-1]["points"] == points else index + 1
        entries.append(
            {"rank": rank, "name": member_vars(found)["name"], "points": points, "id": found.id}
        )
    return entries


def _announcement(
    ctx: RitualContext, config: PointsConfig, member: Member, badge: str
) -> list[Outbound]:
    """The badge's public announcement, in every space the ritual posts to."""
    body = text(ctx, config.texts.get("badge"), "badge", receiver=member_vars(member), badge=badge)
    return list(posts(ctx, f"points:badge:{member.id}:{badge}", body))


def _message_key(platform: str, space: str | None, message_id: str) -> str:
    """Message ids are only unique within a chat on some platforms: qualify them."""
    return f"{platform}:{space}:{message_id}"


def _emoji(emoji: str) -> str:
    """An emoji as compared: `:+1:` is `+1`, and ❤ is ❤️ (skin tones are the translators')."""
    return emoji.strip().strip(":").replace("\ufe0f", "")


def _counted_emoji(config: PointsConfig) -> set[str]:
    """The reactions that earn points, compared as `_emoji` does."""
    return {_emoji(e) for e in config.reaction_emoji}


def _config(ctx: RitualContext) -> PointsConfig:
    assert isinstance(ctx.config, PointsConfig)
    return ctx.config


_HANDLERS: dict[type[Any], Callable[[RitualContext, Event], RitualResult]] = {
    MessageReceived: _on_message,
    ReactionAdded: _on_reaction,
    RitualSignalled: _on_signal,
    MembersMerged: _on_merge,
    MemberForgotten: _on_forget,
    CommandInvoked: _on_command,
}
_COMMANDS: dict[str, Callable[[RitualContext, CommandInvoked], RitualResult]] = {
    "kudos": _kudos,
    "points": _points,
    "leaderboard": _leaderboard,
    "classement": _leaderboard,
}
