"""Poll: a scheduled question with choices, posted to every space; the tally updates as people vote.

Votes are per member, not per account: a member who votes on Slack and again on the webchat
changes their vote. Every space's copy of the poll is edited to show the new tally. Votes are
member records: when two members turn out to be one (`/hub link`), the core keeps the kept
member's vote (the other's only if the kept one had not voted); a forget-me removes the
member's votes. Either way the poll hears `RecordsRewritten` and edits the tallies that changed.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field

from hub.core.config.models import ScheduledRitualSection
from hub.core.model import catalogue
from hub.core.model.events import ButtonClicked, Event, RecordsRewritten
from hub.core.model.member_records import KeptFirst, RitualState
from hub.core.model.messages import Button, Outbound, Replaces, SpaceTarget
from hub.core.model.richtext import RichText
from hub.core.model.ritual import NOTHING, Occurrence, RitualContext, RitualResult
from hub.core.model.templates import TemplateSource
from hub.rituals.base import state_of, text

KEEP_POLLS = 20  # the most recent polls whose votes are still counted


class PollConfig(ScheduledRitualSection):
    """`rituals.poll`: when, where, the question and its choices."""

    question: Annotated[str, Field(min_length=1, max_length=300)]
    options: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=75)]], Field(min_length=2, max_length=10)
    ]
    tally: TemplateSource | None = None


class Ballot(BaseModel):
    """One posted poll: each member's choice, and the count per choice its copies show."""

    votes: KeptFirst[int] = Field(default_factory=dict)
    shown: dict[int, int] = Field(default_factory=dict)


class PollState(RitualState):
    """The recent polls, by occurrence id."""

    polls: dict[str, Ballot] = Field(default_factory=dict)


class Poll:
    """Asks, counts, and keeps every copy of the tally up to date."""

    name: ClassVar[str] = "poll"
    config_model: ClassVar[type[ScheduledRitualSection]] = PollConfig
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("poll")
    always_on: ClassVar[bool] = False
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("poll")
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("poll")
    state_model: ClassVar[type[RitualState]] = PollState

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Post the poll with no votes yet."""
        config = _config(ctx)
        polls = _recent({**state_of(ctx, PollState).polls, str(occurrence.id): Ballot()})
        body, buttons = _tally(ctx, {}), _buttons(config, occurrence.id)
        outbound = tuple(
            Outbound(key="poll", target=SpaceTarget(space=space), body=body, buttons=buttons)
            for space in config.spaces
        )
        return RitualResult(outbound=outbound, state=PollState(polls=polls))

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Count a vote (or a changed vote) and edit every copy of the poll; after a link or a
        forget-me changed the votes, edit the tallies that changed."""
        if isinstance(event, RecordsRewritten) and event.ritual == self.name:
            return _refreshed(ctx)
        vote = _vote(ctx, event)
        if vote is None or ctx.member is None:
            return NOTHING
        poll_id, choice = vote
        state = state_of(ctx, PollState)
        ballot = state.polls[poll_id]
        if ballot.votes.get(ctx.member.id) == choice:
            return NOTHING
        ballot.votes[ctx.member.id] = choice
        ballot.shown = _counts(ballot)
        return RitualResult(outbound=(_edit(ctx, poll_id, ballot, "poll"),), state=state)


def _refreshed(ctx: RitualContext) -> RitualResult:
    """Every poll whose copies show another count than its votes make: edited."""
    state = state_of(ctx, PollState)
    edits: list[Outbound] = []
    for poll_id, ballot in state.polls.items():
        if ballot.shown != _counts(ballot):
            ballot.shown = _counts(ballot)
            edits.append(_edit(ctx, poll_id, ballot, f"poll:{poll_id}"))
    return RitualResult(outbound=tuple(edits), state=state) if edits else NOTHING


def _counts(ballot: Ballot) -> dict[int, int]:
    return dict(Counter(ballot.votes.values()))


def _edit(ctx: RitualContext, poll_id: str, ballot: Ballot, key: str) -> Outbound:
    """The new tally of a poll, replacing every copy of it that was posted."""
    return Outbound(
        key=key,
        target=SpaceTarget(space=""),
        body=_tally(ctx, ballot.votes),
        buttons=_buttons(_config(ctx), int(poll_id)),
        replaces=Replaces(cause=f"occurrence:{poll_id}", key="poll"),
    )


def _vote(ctx: RitualContext, event: Event) -> tuple[str, int] | None:
    if not isinstance(event, ButtonClicked) or event.action != "vote":
        return None
    poll_id, _, choice = event.value.partition(":")
    if poll_id not in state_of(ctx, PollState).polls or not choice.isdigit():
        return None
    if int(choice) >= len(_config(ctx).options):
        return None
    return poll_id, int(choice)


def _tally(ctx: RitualContext, votes: dict[int, int]) -> RichText:
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


def _recent(polls: dict[str, Ballot]) -> dict[str, Ballot]:
    newest = sorted(polls, key=int)[-KEEP_POLLS:]
    return {key: polls[key] for key in newest}


def _config(ctx: RitualContext) -> PollConfig:
    assert isinstance(ctx.config, PollConfig)
    return ctx.config
