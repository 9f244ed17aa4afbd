"""Icebreaker: a scheduled question from the owner's bank, posted to every configured space.

Questions are drawn without repetition until the bank is exhausted, then the bank starts over.
Replies to the question are recorded as answers.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from hub.core.config.models import ScheduledRitualSection
from hub.core.model import catalogue
from hub.core.model.events import Event, MessageReceived
from hub.core.model.member_records import RitualState
from hub.core.model.messages import Outbound, SpaceTarget
from hub.core.model.ritual import NOTHING, Occurrence, Record, RitualContext, RitualResult, Signal
from hub.core.model.templates import TemplateSource, trusted
from hub.rituals.base import state_of, text


class IcebreakerState(RitualState):
    """The questions asked since the bank last started over, and the current one."""

    asked: list[int] = Field(default_factory=list)
    current: int | None = None


class IcebreakerConfig(ScheduledRitualSection):
    """`rituals.icebreaker`: when, where, the question bank and the message around it."""

    questions: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    intro: TemplateSource | None = None


class Icebreaker:
    """Asks the community a question on schedule and keeps the answers."""

    name: ClassVar[str] = "icebreaker"
    config_model: ClassVar[type[ScheduledRitualSection]] = IcebreakerConfig
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("icebreaker")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("icebreaker")
    always_on: ClassVar[bool] = False
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("icebreaker")
    state_model: ClassVar[type[RitualState]] = IcebreakerState

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Pick the next unasked question and post it to every configured space."""
        config = _config(ctx)
        asked = [i for i in state_of(ctx, IcebreakerState).asked if i < len(config.questions)]
        remaining = [i for i in range(len(config.questions)) if i not in asked]
        if not remaining:
            asked, remaining = [], list(range(len(config.questions)))
        index = ctx.rng.choice(remaining)
        body = text(ctx, config.intro, "intro", question=trusted(config.questions[index]))
        outbound = tuple(
            Outbound(key=f"icebreaker:{index}", target=SpaceTarget(space=space), body=body)
            for space in config.spaces
        )
        state = IcebreakerState(asked=[*asked, index], current=index)
        return RitualResult(outbound=outbound, state=state)

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Record a reply to one of our questions as an answer."""
        if not isinstance(event, MessageReceived) or ctx.replied_to is None:
            return NOTHING
        if ctx.replied_to.ritual != self.name or ctx.member is None:
            return NOTHING
        config = _config(ctx)
        index = int(ctx.replied_to.outbound_key.split(":")[1])
        question = config.questions[index] if index < len(config.questions) else ""
        record = Record(
            kind="answer",
            member_id=ctx.member.id,
            data={"question": question, "text": event.text, "platform": event.platform},
        )
        answered = Signal(name="answered", member_id=ctx.member.id)
        return RitualResult(records=(record,), effects=(answered,))


def _config(ctx: RitualContext) -> IcebreakerConfig:
    assert isinstance(ctx.config, IcebreakerConfig)
    return ctx.config
