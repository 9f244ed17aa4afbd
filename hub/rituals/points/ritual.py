"""The points ritual's entry point: awards for what members do, the verbs, the weekly post."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, ClassVar

from hub.core.config.models import RitualSection
from hub.core.model import catalogue
from hub.core.model.events import (
    CommandInvoked,
    Event,
    MessageReceived,
    ReactionAdded,
    RitualSignalled,
)
from hub.core.model.member_records import RitualState
from hub.core.model.ritual import NOTHING, Occurrence, Record, RitualContext, RitualResult
from hub.rituals.base import local, posts, reply, state_of, text, week_key
from hub.rituals.points.book import Answer, Book, config_of
from hub.rituals.points.commands import TOP, kudos, leaderboard, points, ranking
from hub.rituals.points.config import TEXTS, PointsConfig
from hub.rituals.points.reactions import on_message, on_reaction
from hub.rituals.points.state import PointsState


class Points:
    """Keeps the ledger, the totals, the badges and the leaderboards."""

    name: ClassVar[str] = "points"
    config_model: ClassVar[type[RitualSection]] = PointsConfig
    always_on: ClassVar[bool] = False
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("points")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("points")
    default_texts: ClassVar[dict[str, dict[str, str]]] = TEXTS
    state_model: ClassVar[type[RitualState]] = PointsState

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Award points for what members do; answer kudos, points and leaderboard commands."""
        handler = _HANDLERS.get(type(event))
        return handler(ctx, event) if handler is not None else NOTHING

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Post the top of the week that just ended (a Monday-morning post shows last week)."""
        config = config_of(ctx)
        week = week_key(ctx, local(ctx) - timedelta(days=1))
        entries = ranking(ctx, state_of(ctx, PointsState).totals.weeks.get(week, {}))[:TOP]
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


def _on_signal(ctx: RitualContext, event: Event) -> RitualResult:
    """Icebreaker answers and shout-outs (given and received) earn their rules' points."""
    assert isinstance(event, RitualSignalled)
    book = Book(ctx)
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


def _on_command(ctx: RitualContext, event: Event) -> RitualResult:
    """Run a verb this ritual owns; a bad one ends with a short reply and no state change."""
    assert isinstance(event, CommandInvoked)
    command = _COMMANDS.get(event.name)
    if command is None or ctx.member is None:
        return NOTHING
    try:
        return command(ctx, event)
    except Answer as answer:
        body = text(ctx, config_of(ctx).texts.get(answer.key), answer.key, **answer.variables)
        return RitualResult(outbound=(reply(ctx, event, f"points:{answer.key}", body),))


_HANDLERS: dict[type[Any], Callable[[RitualContext, Event], RitualResult]] = {
    MessageReceived: on_message,
    ReactionAdded: on_reaction,
    RitualSignalled: _on_signal,
    CommandInvoked: _on_command,
}
_COMMANDS: dict[str, Callable[[RitualContext, CommandInvoked], RitualResult]] = {
    "kudos": kudos,
    "points": points,
    "leaderboard": leaderboard,
    "classement": leaderboard,
}
