"""The points verbs: kudos, one's points (and owners' adjustments), the leaderboards."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked
from hub.core.model.mentions import is_mention
from hub.core.model.ritual import Record, RitualContext, RitualResult
from hub.rituals.base import (
    member_vars,
    month_key,
    privately,
    refusal,
    reply,
    state_of,
    text,
    week_key,
)
from hub.rituals.points.book import Answer, Book, config_of
from hub.rituals.points.state import PointsState

REASON_MAX = 280  # characters of a kudos or adjustment reason
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


def kudos(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """`/hub kudos @member why…`: thank them where asked and give them `kudos_received`."""
    assert ctx.member is not None
    if len(event.args) < 2 or not is_mention(event.args[0]):
        raise Answer("kudos_usage")
    receiver = _member(ctx, event, event.args[0])
    reason = _reason(event.args[1:], "kudos_usage")
    if receiver.id == ctx.member.id:
        raise Answer("kudos_self")
    config, book = config_of(ctx), Book(ctx)
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


def points(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """`/hub points`: the member's total, rank and badges; `points adjust` for the owners."""
    if event.args and event.args[0].lower() == "adjust":
        return _adjust(ctx, event)
    if event.args:
        raise Answer("points_usage")
    assert ctx.member is not None
    config, me = config_of(ctx), ctx.member.id
    state = state_of(ctx, PointsState)
    total = state.totals.all.get(me, 0)
    ranked = ranking(ctx, state.totals.all)
    rank = next((e["rank"] for e in ranked if e["id"] == me), None)
    badges = state.badges.get(me, [])
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
    variables = {"total": total, "rank": rank, "ranked": len(ranked), "badges": badges}
    body = text(ctx, config.texts.get("my_points"), "my_points", **variables, next_badge=next_badge)
    return RitualResult(outbound=(reply(ctx, event, "points:mine", body),))


def _adjust(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """`/hub points adjust @member +N|-N reason` (owners, privately): a ledger correction."""
    config = config_of(ctx)
    refused = refusal(ctx, event, config.texts, admin=True, private=True)
    if refused is not None:
        return RitualResult(outbound=(refused,))
    args = event.args[1:]
    if len(args) < 3 or not is_mention(args[0]) or not _DELTA.match(args[1]):
        raise Answer("adjust_usage")
    delta = int(args[1])
    if delta == 0 or abs(delta) > ADJUST_MAX:
        raise Answer("adjust_usage")
    receiver = _member(ctx, event, args[0])
    reason = _reason(args[2:], "adjust_usage")
    book = Book(ctx)
    book.add(receiver.id, "adjustment", delta, reason)
    variables = {"receiver": member_vars(receiver), "delta": f"{delta:+d}"}
    body = text(
        ctx, config.texts.get("adjusted"), "adjusted", **variables, total=book.total(receiver.id)
    )
    return book.result(reply(ctx, event, "points:adjusted", body))


def leaderboard(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """`/hub leaderboard [week|month|all]` (or `classement semaine|mois|tout`): the top 10."""
    period = PERIODS.get(event.args[0].lower()) if event.args else "week"
    if period is None:
        raise Answer("leaderboard_usage")
    totals = state_of(ctx, PointsState).totals
    scores = {
        "week": totals.weeks.get(week_key(ctx), {}),
        "month": totals.months.get(month_key(ctx), {}),
        "all": totals.all,
    }[period]
    entries = ranking(ctx, scores)[:TOP]
    if not entries:
        raise Answer("leaderboard_empty", period=period)
    config = config_of(ctx)
    body = text(ctx, config.texts.get("leaderboard"), "leaderboard", period=period, entries=entries)
    return RitualResult(outbound=(reply(ctx, event, "points:leaderboard", body),))


def _member(ctx: RitualContext, event: CommandInvoked, token: str) -> Member:
    """The one member `token` names, or a reply saying why not."""
    found = ctx.directory.find(token, event.platform)
    if not found:
        raise Answer("unknown_member", token=token)
    if len(found) > 1:
        raise Answer("ambiguous_member", token=token)
    return found[0]


def _reason(words: tuple[str, ...], usage: str) -> str:
    """The free text after the member and amount: required, and short."""
    reason = " ".join(words).strip()
    if not reason:
        raise Answer(usage)
    if len(reason) > REASON_MAX:
        raise Answer("reason_too_long", length=len(reason), limit=REASON_MAX)
    return reason


def ranking(ctx: RitualContext, scores: Mapping[int, int]) -> list[dict[str, Any]]:
    """Members with points, best first, ties sharing a rank; names without mentions, and
    members no longer in the directory left out."""
    present = [
        (found, int(points))
        for key, points in scores.items()
        if points > 0 and (found := ctx.directory.member(key)) is not None
    ]
    present.sort(key=lambda pair: (-pair[1], pair[0].id))
    entries: list[dict[str, Any]] = []
    for index, (found, points) in enumerate(present):
        rank = entries[-1]["rank"] if entries and entries[-1]["points"] == points else index + 1
        entries.append(
            {"rank": rank, "name": member_vars(found)["name"], "points": points, "id": found.id}
        )
    return entries
