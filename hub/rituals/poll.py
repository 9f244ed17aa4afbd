"""Poll: a scheduled question with choices, posted to every space; the tally updates as people vote.

Votes are per member, not per account: a member who votes on Slack and again on the webchat
changes their vote. Every space's copy of the poll is edited to show the new tally. When two
members turn out to be one (`/hub link`), the kept member's vote counts (the other's only if the
kept one had not voted); a forgotten member's votes go. Either way the tallies are edited.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from hub.core.config.models import ScheduledRitualSection
from hub.core.model import catalogue
from hub.core.model.events import ButtonClicked, Event, MemberForgotten, MembersMerged
from hub.core.model.messages import Button, Outbound, Replaces, SpaceTarget
from hub.core.model.richtext import RichText
from hub.core.model.ritual import NOTHING, Occurrence, RitualContext, RitualResult
from hub.core.model.templates import TemplateSource
from hub.rituals.base import text

KEEP_POLLS = 20  # the most recent polls whose votes are still counted


class PollConfig(ScheduledRitualSection):
    """`rituals.poll`: when, where, the question and its choices."""

    question: Annotated[str, Field(min_length=1, max_length=300)]
    options: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=75)]], Field(min_length=2, max_length=10)
    ]
    tally: TemplateSource | None = None


class Poll:
    """Asks, counts, and keeps every copy of the tally up to date."""

    name: ClassVar[str] = "poll"
    config_model: ClassVar[type[ScheduledRitualSection]] = PollConfig
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("poll")
    always_on: ClassVar[bool] = False
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("poll")
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("poll")

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Post the poll with no votes yet."""
        config = _config(ctx)
        polls = _recent({**ctx.state.get("polls", {}), str(occurrence.id): {"votes": {}}})
        body, buttons = _tally(ctx, {}), _buttons(config, occurrence.id)
        outbound = tuple(
            Outbound(key="poll", target=SpaceTarget(space=space), body=body, buttons=buttons)
            for space in config.spaces
        )
        return RitualResult(outbound=outbound, state={**ctx.state, "polls": polls})

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Count a vote (or a changed vote) and edit every copy of the poll; follow merged and
        forgotten members."""
        if isinstance(event, MembersMerged):
            return _renamed(ctx, str(event.merged), str(event.kept))
        if isinstance(event, MemberForgotten):
            return _renamed(ctx, str(event.member_id), None)
        vote = _vote(ctx, event)
        if vote is None or ctx.member is None:
            return NOTHING
        poll_id, choice = vote
        polls = dict(ctx.state.get("polls", {}))
        votes = {**polls[poll_id]["votes"], str(ctx.member.id): choice}
        if polls[poll_id]["votes"].get(str(ctx.member.id)) == choice:
            return NOTHING
        polls[poll_id] = {"votes": votes}
        edit = _edit(ctx, poll_id, votes, "poll")
        return RitualResult(outbound=(edit,), state={**ctx.state, "polls": polls})


def _renamed(ctx: RitualContext, old: str, new: str | None) -> RitualResult:
    """`old`'s votes become `new`'s where `new` had not voted (a merge), or go (`new` None);
    every poll whose tally changed is edited."""
    polls = dict(ctx.state.get("polls", {}))
    edits: list[Outbound] = []
    for poll_id, poll in polls.items():
        votes = dict(poll["votes"])
        if old not in votes:
            continue
        choice = votes.pop(old)
        if new is not None:
            votes.setdefault(new, choice)
        polls[poll_id] = {**poll, "votes": votes}
        edits.append(_edit(ctx, poll_id, votes, f"poll:{poll_id}"))
    if not edits:
        return NOTHING
    return RitualResult(outbound=tuple(edits), state={**ctx.state, "polls": polls})


def _edit(ctx: RitualContext, poll_id: str, votes: dict[str, int], key: str) -> Outbound:
    """The new tally of a poll, replacing every copy of it that was posted."""
    return Outbound(
        key=key,
        target=SpaceTarget(space=""),
        body=_tally(ctx, votes),
        buttons=_buttons(_config(ctx), int(poll_id)),
        replaces=Replaces(cause=f"occurrence:{poll_id}", key="poll"),
    )


def _vote(ctx: RitualContext, event: Event) -> tuple[str, int] | None:
    if not isinstance(event, ButtonClicked) or event.action != "vote":
        return None
    poll_id, _, choice = event.value.partition(":")
    if poll_id not in ctx.state.get("polls", {}) or not choice.isdigit():
        return None
    if int(choice) >= len(_config(ctx).options):
        return None
    return poll_id, int(choice)


def _tally(ctx: RitualContext, votes: dict[str, int]) -> RichText:
    config = _config(ctx)
    options = [
        {"label": label, "count": sum(1 for v in votes.values() if v == index)}
        for index, label in enumerate(config.options)
    ]
    return text(
        ctx, config.tally, "tally", question=config.question, options=options, total=len(votes)
    )


def _buttons(config: PollConfig, poll_id: int) -> tuple[Button, ...]:
    return tuple(
        Button(label=label, action="vote", value=f"{poll_id}:{i}")
        for i, label in enumerate(config.options)
    )


def _recent(polls: dict[str, Any]) -> dict[str, Any]:
    newest = sorted(polls, key=int)[-KEEP_POLLS:]
    return {key: polls[key] for key in newest}


def _config(ctx: RitualContext) -> PollConfig:
    assert isinstance(ctx.config, PollConfig)
    return ctx.config
