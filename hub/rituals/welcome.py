"""Welcome: greet each new member once, in the space and privately with onboarding steps.

On an opt-in list (WhatsApp), where members cannot see each other, only the private welcome
is sent. Joins are remembered by account (platform and user id), for a day; a forgotten
member's are dropped at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from hub.core.config.models import RitualSection
from hub.core.model import catalogue
from hub.core.model.events import CommandInvoked, Event, MemberForgotten, MemberJoined
from hub.core.model.messages import MemberTarget, Outbound, SpaceTarget
from hub.core.model.richtext import RichText
from hub.core.model.ritual import NOTHING, Occurrence, RitualContext, RitualResult
from hub.core.model.templates import TemplateSource
from hub.rituals.base import text

# Platforms report some joins twice (Telegram: chat_member and a service message); a second
# report of the same join within this window is the same join.
SAME_JOIN_WINDOW = timedelta(days=1)


class WelcomeConfig(RitualSection):
    """`rituals.welcome`: where to greet, and the texts (defaults in the community's locale)."""

    public: TemplateSource | None = None
    private: TemplateSource | None = None
    send_private: bool = True


class Welcome:
    """Greets every new member once per join."""

    name: ClassVar[str] = "welcome"
    config_model: ClassVar[type[RitualSection]] = WelcomeConfig
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("welcome")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("welcome")
    always_on: ClassVar[bool] = False
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("welcome")

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Greet on MemberJoined; send held onboarding when the member opens the private chat;
        forget the joins of a forgotten member's accounts."""
        if isinstance(event, MemberForgotten):
            return _forgotten(ctx, event)
        if isinstance(event, CommandInvoked) and event.name == "start" and event.space is None:
            return self._onboard_held(ctx, event)
        if not isinstance(event, MemberJoined) or ctx.member is None or event.space is None:
            return NOTHING
        config = _config(ctx)
        if config.spaces and event.space not in config.spaces:
            return NOTHING
        join_key = f"{event.platform}:{event.space}:{event.actor.user_id}"
        greeted = _recent_joins(ctx.state.get("greeted", {}), ctx.now)
        if join_key in greeted:
            return NOTHING
        greeted[join_key] = ctx.now.isoformat()
        state: dict[str, Any] = {**ctx.state, "greeted": greeted}
        public = text(ctx, config.public, "public")
        private = self._private(ctx, config, event.platform)
        if config.send_private and ctx.private_link:
            invite = text(ctx, None, "invite", link=ctx.private_link)
            public = RichText(public.blocks + invite.blocks)
            pending = {
                **ctx.state.get("pending", {}),
                f"{event.platform}:{event.actor.user_id}": ctx.now.isoformat(),
            }
            state["pending"], private = pending, []
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
        pending = dict(ctx.state.get("pending", {}))
        if pending.pop(f"{event.platform}:{event.actor.user_id}", None) is None:
            return NOTHING
        outbound = self._private(ctx, _config(ctx), event.platform)
        return RitualResult(outbound=tuple(outbound), state={**ctx.state, "pending": pending})

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


def _recent_joins(greeted: dict[str, Any], now: datetime) -> dict[str, str]:
    """The joins greeted within the window; older ones are forgotten so the state stays small."""
    return {
        key: when
        for key, when in greeted.items()
        if now - datetime.fromisoformat(when) < SAME_JOIN_WINDOW
    }


def _forgotten(ctx: RitualContext, event: MemberForgotten) -> RitualResult:
    """Greeted joins (`platform:space:user`) and held onboardings (`platform:user`) of the
    forgotten member's accounts go."""

    def theirs(key: str) -> bool:
        return any(
            key == f"{a.platform}:{a.user_id}"
            or (key.startswith(f"{a.platform}:") and key.endswith(f":{a.user_id}"))
            for a in event.accounts
        )

    greeted = {k: v for k, v in ctx.state.get("greeted", {}).items() if not theirs(k)}
    pending = {k: v for k, v in ctx.state.get("pending", {}).items() if not theirs(k)}
    return RitualResult(state={**ctx.state, "greeted": greeted, "pending": pending})
