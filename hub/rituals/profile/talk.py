"""How the profile ritual answers: cards as templates see them, replies, what is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked
from hub.core.model.richtext import RichText
from hub.core.model.ritual import RitualContext, RitualResult
from hub.rituals.base import member_vars, reply, text
from hub.rituals.profile.config import FIELDS, ProfileConfig


def card_fields(profile: Mapping[str, str]) -> dict[str, str]:
    """The card's known fields that hold something."""
    return {f: profile[f] for f in FIELDS if profile.get(f, "").strip()}


def card_vars(member: Member, profile: Mapping[str, str]) -> dict[str, Any]:
    """What the templates see of a card: the member's name and each field ("" when unset)."""
    fields = card_fields(profile)
    return {**member_vars(member), **{f: fields.get(f, "") for f in FIELDS}}


def card(ctx: RitualContext, member: Member, profile: Mapping[str, str] | None = None) -> RichText:
    shown = member.profile if profile is None else profile
    return say(ctx, "card", card=card_vars(member, shown))


def say(ctx: RitualContext, key: str, **variables: Any) -> RichText:
    return text(ctx, config_of(ctx).texts.get(key), key, **variables)


def answer_body(
    ctx: RitualContext, event: CommandInvoked, key: str, body: RichText
) -> RitualResult:
    return RitualResult(outbound=(reply(ctx, event, key, body),))


def answer(ctx: RitualContext, event: CommandInvoked, key: str, **variables: Any) -> RitualResult:
    """A reply with one text and nothing else changed (no state, no effect)."""
    return answer_body(ctx, event, f"profile:{key}", say(ctx, key, **variables))


def wrong(ctx: RitualContext, event: CommandInvoked, key: str, **variables: Any) -> RitualResult:
    """What is wrong, then the usage; nothing changes."""
    body = RichText(say(ctx, key, **variables).blocks + say(ctx, "usage").blocks)
    return answer_body(ctx, event, f"profile:{key}", body)


def config_of(ctx: RitualContext) -> ProfileConfig:
    assert isinstance(ctx.config, ProfileConfig)
    return ctx.config
