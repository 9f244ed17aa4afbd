"""`rituals.shoutout`: the roundup's schedule, the limits and the texts."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hub.core.config.models import Cron, ScheduledRitualSection
from hub.core.model import catalogue
from hub.core.model.templates import TemplateSource
from hub.rituals.base import known_texts

TEXTS: dict[str, dict[str, str]] = catalogue.texts("shoutout")


class ShoutoutConfig(ScheduledRitualSection):
    """`rituals.shoutout`: when the weekly roundup is posted, where, and the limits."""

    schedule: Cron = "0 17 * * FRI"
    max_reason: Annotated[int, Field(ge=1, le=2000)] = 280
    max_per_week: Annotated[int, Field(ge=1, le=100)] = 10
    """Nominations one member may give in a week (keeps the roundup readable)."""
    post_when_empty: bool = False
    """With no nomination that week, post a short invitation to nominate instead of nothing."""
    texts: Annotated[dict[str, TemplateSource], known_texts("shoutout")] = Field(
        default_factory=dict
    )
