"""How the spotlight answers: its texts and replies."""

from __future__ import annotations

from typing import Any

from hub.core.model.events import CommandInvoked
from hub.core.model.richtext import RichText
from hub.core.model.ritual import RitualContext, RitualResult
from hub.rituals.base import reply, text
from hub.rituals.spotlight.config import SpotlightConfig
from hub.rituals.spotlight.state import SpotlightState

VERB = "spotlight"


def config_of(ctx: RitualContext) -> SpotlightConfig:
    assert isinstance(ctx.config, SpotlightConfig)
    return ctx.config


def say(ctx: RitualContext, key: str, **variables: Any) -> RichText:
    """One of the ritual's texts (the owner's, if they wrote one)."""
    return text(ctx, config_of(ctx).texts.get(key), key, **variables)


def answer(
    ctx: RitualContext,
    event: CommandInvoked,
    key: str,
    state: SpotlightState | None = None,
    **variables: Any,
) -> RitualResult:
    """A reply where the command was typed; `state` None leaves the state unchanged."""
    body = say(ctx, key, **variables)
    return RitualResult(outbound=(reply(ctx, event, f"{VERB}:{key}", body),), state=state)
