"""How the shout-out ritual answers: its texts, replies and error messages."""

from __future__ import annotations

from typing import Any

from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked
from hub.core.model.messages import Outbound
from hub.core.model.richtext import RichText
from hub.core.model.ritual import RitualContext, RitualResult
from hub.rituals.base import reply, text
from hub.rituals.shoutout.config import ShoutoutConfig


def config_of(ctx: RitualContext) -> ShoutoutConfig:
    assert isinstance(ctx.config, ShoutoutConfig)
    return ctx.config


def say(ctx: RitualContext, key: str, **variables: Any) -> RichText:
    """One of the ritual's texts (the owner's, if they wrote one)."""
    return text(ctx, config_of(ctx).texts.get(key), key, **variables)


def answer(ctx: RitualContext, event: CommandInvoked, key: str, **variables: Any) -> RitualResult:
    """A reply where the command was typed, and nothing else."""
    body = say(ctx, key, **variables)
    return RitualResult(outbound=(reply(ctx, event, f"shoutout:{key}", body),))


def error(
    ctx: RitualContext, event: CommandInvoked, usage: str, key: str | None = None, **variables: Any
) -> Outbound:
    """A short reply saying what is wrong, followed by the usage."""
    how = say(ctx, usage, verb=event.name)
    body = RichText(say(ctx, key, **variables).blocks + how.blocks) if key else how
    return reply(ctx, event, "shoutout:error", body)


def member_of(ctx: RitualContext, member_id: int | None) -> Member | None:
    """The member with that id, if there is one and they are still known."""
    return ctx.directory.member(member_id) if member_id is not None else None
