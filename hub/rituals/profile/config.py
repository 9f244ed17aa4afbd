"""`rituals.profile`: the "meet the members" schedule, its size, and the texts."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hub.core.config.models import Cron, RitualSection
from hub.core.model import catalogue
from hub.core.model.templates import TemplateSource
from hub.rituals.base import known_texts

TEXTS: dict[str, dict[str, str]] = catalogue.texts("profile")
FIELDS = ("bio", "skills", "link", "city")
LIMITS = {"bio": 300, "skills": 200, "link": 200, "city": 60}


class ProfileConfig(RitualSection):
    """`rituals.profile`: when to post "meet the members" (never by default), how many members
    each post introduces, and the texts."""

    meet_schedule: Cron | None = None
    meet_count: Annotated[int, Field(ge=1, le=10)] = 3
    texts: Annotated[dict[str, TemplateSource], known_texts("profile")] = Field(
        default_factory=dict
    )

    def schedules(self) -> dict[str, str]:
        """The "meet the members" post, when scheduled."""
        return {"meet": self.meet_schedule} if self.meet_schedule else {}
