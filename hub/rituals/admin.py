"""Admin: what only the community's owners (`community.owners`) may do from their chat app.

`/hub run RITUAL` fires one occurrence of a scheduled ritual now (the icebreaker, the roundup…),
like `hub ritual run` on the command line. Refused to everyone else, and in public. Always on.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from hub.core.config.models import RitualSection
from hub.core.model import catalogue
from hub.core.model.events import CommandInvoked, Event
from hub.core.model.member_records import RitualState
from hub.core.model.ritual import NOTHING, FireRitual, Occurrence, RitualContext, RitualResult
from hub.core.model.templates import TemplateSource
from hub.rituals.base import known_texts, refusal, reply, text


class AdminConfig(RitualSection):
    """`rituals.admin`: the texts."""

    texts: Annotated[dict[str, TemplateSource], known_texts("admin")] = Field(default_factory=dict)


class Admin:
    """Owners' verbs that belong to no single ritual."""

    name: ClassVar[str] = "admin"
    config_model: ClassVar[type[RitualSection]] = AdminConfig
    always_on: ClassVar[bool] = True
    state_model: ClassVar[type[RitualState]] = RitualState
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("admin")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("admin")
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("admin")

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """`/hub run RITUAL`, for owners in their private chat."""
        if not isinstance(event, CommandInvoked) or event.name != "run" or ctx.member is None:
            return NOTHING
        texts = _texts(ctx)
        refused = refusal(ctx, event, texts, admin=True, private=True)
        if refused is not None:
            return RitualResult(outbound=(refused,))
        wanted = event.args[0].lower() if event.args else ""
        if wanted not in ctx.scheduled_rituals:
            names = ", ".join(ctx.scheduled_rituals) or "—"
            example = ctx.scheduled_rituals[0] if ctx.scheduled_rituals else "icebreaker"
            body = text(ctx, texts.get("unknown"), "unknown", rituals=names, example=example)
            return RitualResult(outbound=(reply(ctx, event, "admin:unknown", body),))
        body = text(ctx, texts.get("started"), "started", ritual=wanted)
        return RitualResult(
            outbound=(reply(ctx, event, "admin:started", body),),
            effects=(FireRitual(ritual=wanted),),
        )

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Admin is not scheduled."""
        return NOTHING


def _texts(ctx: RitualContext) -> dict[str, str]:
    assert isinstance(ctx.config, AdminConfig)
    return ctx.config.texts
