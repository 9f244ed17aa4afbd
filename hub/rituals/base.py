"""Small helpers shared by rituals: templated texts in the community's language."""

from __future__ import annotations

from typing import Any

from hub.core.richtext import RichText
from hub.core.ritual import RitualContext
from hub.core.templates import community_variables, member_variables, render_template


def template_variables(ctx: RitualContext, **extra: Any) -> dict[str, Any]:
    """What every template sees: `community`, `member` (when there is one), and `extra`."""
    variables: dict[str, Any] = {
        "community": community_variables(ctx.community.id, ctx.community.name),
        **extra,
    }
    if ctx.member is not None:
        variables["member"] = member_variables(ctx.member.id, ctx.member.display_name)
    return variables


def text(ctx: RitualContext, override: str | None, key: str, **extra: Any) -> RichText:
    """The owner's text if set in YAML, else the ritual's default in the community's locale."""
    source = override if override is not None else ctx.texts[key]
    return render_template(source, template_variables(ctx, **extra))
