"""Help: `/hub help` lists what a member may ask, and an unknown verb gets a helpful reply.

Always on (a community can disable it). It answers where it was asked: in the space, or in the
private chat.
"""

from __future__ import annotations

from typing import ClassVar

from hub.core.config.models import RitualSection
from hub.core.model import catalogue
from hub.core.model.events import CommandInvoked, Event
from hub.core.model.member_records import RitualState
from hub.core.model.richtext import RichText, escape_markup, parse_markup
from hub.core.model.ritual import NOTHING, Occurrence, RitualContext, RitualResult
from hub.core.model.templates import TemplateSource
from hub.rituals.base import reply, text


class HelpConfig(RitualSection):
    """`rituals.help`: override the texts if you like."""

    intro: TemplateSource | None = None
    unknown: TemplateSource | None = None


class Help:
    """Answers `help` and every verb no ritual claims."""

    name: ClassVar[str] = "help"
    config_model: ClassVar[type[RitualSection]] = HelpConfig
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("help")
    always_on: ClassVar[bool] = True
    state_model: ClassVar[type[RitualState]] = RitualState
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("help")
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("help")

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """List the commands on `help`; explain on an unknown verb; ignore everything else."""
        if not isinstance(event, CommandInvoked) or ctx.member is None:
            return NOTHING
        config = _config(ctx)
        if event.name == "help":
            intro = text(ctx, config.intro, "intro")
            body, key = RichText(intro.blocks + _listing(ctx).blocks), "help"
        elif event.name not in ctx.commands and event.name not in ctx.verbs:
            body, key = text(ctx, config.unknown, "unknown", verb=event.name), "help:unknown"
        else:
            return NOTHING
        return RitualResult(outbound=(reply(ctx, event, key, body),))

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Help is not scheduled."""
        return NOTHING


def _listing(ctx: RitualContext) -> RichText:
    return parse_markup(
        "\n".join(
            f"- `/hub {escape_markup(verb)}` — {escape_markup(about)}"
            for verb, about in sorted(ctx.commands.items())
        )
    )


def _config(ctx: RitualContext) -> HelpConfig:
    assert isinstance(ctx.config, HelpConfig)
    return ctx.config
