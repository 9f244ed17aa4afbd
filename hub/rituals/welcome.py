"""Welcome: greet each new member once, in the space and privately with onboarding steps.

On an opt-in list (WhatsApp), where members cannot see each other, only the private welcome
is sent. Joins are remembered per member (by account joined), for a day, as member records:
a forget-me drops them at once, a link joins them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from pydantic import Field

from hub.core.config.models import RitualSection
from hub.core.model import catalogue
from hub.core.model.events import CommandInvoked, Event, MemberJoined
from hub.core.model.member_records import RitualState, United
from hub.core.model.messages import MemberTarget, Outbound, SpaceTarget
from hub.core.model.richtext import RichText
from hub.core.model.ritual import NOTHING, Occurrence, RitualContext, RitualResult
from hub.core.model.templates import TemplateSource
from hub.rituals.base import state_of, text

# Platforms report some joins twice (Telegram: chat_member and a service message); a second
# report of the same join within this window is the same join.
SAME_JOIN_WINDOW = timedelta(days=1)


class WelcomeConfig(RitualSection):
    """`rituals.welcome`: where to greet, and the texts (defaults in the community's locale)."""

    public: TemplateSource | None = None
    private: TemplateSource | None = None
    send_private: bool = True


class WelcomeState(RitualState):
    """Per member: the joins greeted (`platform:space:user` → when) and the onboardings held
    until they open a private chat (`platform` → since when)."""

    greeted: United[dict[str, datetime]] = Field(default_factory=dict)
    pending: United[dict[str, datetime]] = Field(default_factory=dict)


class Welcome:
    """Greets every new member once per join."""

    name: ClassVar[str] = "welcome"
    config_model: ClassVar[type[RitualSection]] = WelcomeConfig
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("welcome")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("welcome")
    always_on: ClassVar[bool] = False
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("welcome")
    state_model: ClassVar[type[RitualState]] = WelcomeState

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Greet on MemberJoined; send held onboarding when the member opens the private chat."""
        if isinstance(event, CommandInvoked) and event.name == "start" and event.space is None:
            return self._onboard_held(ctx, event)
        if not isinstance(event, MemberJoined) or ctx.member is None or event.space is None:
            return NOTHING
        config = _config(ctx)
        if config.spaces and event.space not in config.spaces:
            return NOTHING
        join_key = f"{event.platform}:{event.space}:{event.actor.user_id}"
        state = state_of(ctx, WelcomeState)
        state.greeted = _recent_joins(state.greeted, ctx.now)
        if join_key in state.greeted.get(ctx.member.id, {}):
            return NOTHING
        state.greeted.setdefault(ctx.member.id, {})[join_key] = ctx.now
        public = text(ctx, config.public, "public")
        private = self._private(ctx, config, event.platform)
        if config.send_private and ctx.private_link:
            invite = text(ctx, None, "invite", link=ctx.private_link)
            public = RichText(public.blocks + invite.blocks)
            held = state.pending.setdefault(ctx.member.id, {})
            held[event.platform], private = ctx.now, []
        if _is_opt_in_list(ctx, event.platform, event.space):
            return RitualResult(outbound=tuple(private), state=state)
        greeting = Outbound(
            key="welcome:public",
            target=SpaceTarget(space=event.space, platform=event.platform),
            body=public,
        )
        return RitualResult(outbound=(greeting, *private), state=state)

    def _private(self, ctx: RitualContext, config: WelcomeConfig, platform: str) -> list[Outbound]:
        if not config.send_private or ctx.member is None:
            return []
        target = MemberTarget(member_id=ctx.member.id, platform=platform)
        return [
            Outbound(
                key="welcome:private", target=target, body=text(ctx, config.private, "private")
            )
        ]

    def _onboard_held(self, ctx: RitualContext, event: CommandInvoked) -> RitualResult:
        """The member pressed Start: the onboarding held back at their join goes out now."""
        state = state_of(ctx, WelcomeState)
        held = state.pending.get(ctx.member.id, {}) if ctx.member else {}
        if held.pop(event.platform, None) is None:
            return NOTHING
        if not held:
            state.pending = {m: h for m, h in state.pending.items() if h}
        outbound = self._private(ctx, _config(ctx), event.platform)
        return RitualResult(outbound=tuple(outbound), state=state)

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Welcome is not scheduled."""
        return NOTHING


def _config(ctx: RitualContext) -> WelcomeConfig:
    assert isinstance(ctx.config, WelcomeConfig)
    return ctx.config


def _is_opt_in_list(ctx: RitualContext, platform: str, space: str) -> bool:
    """Nobody else sees a join to an opt-in list: a public greeting would only be noise in
    every member's private chat, so the newcomer gets the private welcome alone."""
    return any(s.opt_in_list for s in ctx.spaces if s.platform == platform and s.name == space)


def _recent_joins(
    greeted: dict[int, dict[str, datetime]], now: datetime
) -> dict[int, dict[str, datetime]]:
    """Every member's joins greeted within the window; older ones are forgotten so the state
    stays small."""
    recent = {
        member: {key: when for key, when in joins.items() if now - when < SAME_JOIN_WINDOW}
        for member, joins in greeted.items()
    }
    return {member: joins for member, joins in recent.items() if joins}
