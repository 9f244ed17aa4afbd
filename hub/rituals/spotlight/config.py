"""`rituals.spotlight`: when a spotlight is published and when the next member is asked."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hub.core.config.models import Cron, ScheduledRitualSection
from hub.core.model import catalogue
from hub.core.model.templates import TemplateSource
from hub.rituals.base import known_texts

TEXTS: dict[str, dict[str, str]] = catalogue.texts("spotlight")
_WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class SpotlightConfig(ScheduledRitualSection):
    """`rituals.spotlight`: when a spotlight is published (`schedule`, e.g. "0 10 * * WED"), how
    long before the next member is asked (`ask_days_before`, or an explicit `ask_schedule`),
    where (`spaces`, all when empty) and the texts."""

    ask_days_before: Annotated[int, Field(ge=0, le=6)] = 2
    ask_schedule: Cron | None = None
    texts: Annotated[dict[str, TemplateSource], known_texts("spotlight")] = Field(
        default_factory=dict
    )

    def schedules(self) -> dict[str, str]:
        """Publication, and the ask slot when there is one."""
        ask = self.ask_schedule or shifted_weekday(self.schedule, -self.ask_days_before)
        return {"": self.schedule, "ask": ask} if ask else {"": self.schedule}


def shifted_weekday(cron: str, days: int) -> str | None:
    """The same cron `days` days later (negative: earlier), when it names one day of the week
    and nothing else about the date; None otherwise, or for no shift."""
    fields = cron.split()
    if days == 0 or len(fields) != 5 or fields[2] != "*" or fields[3] != "*":
        return None
    day = fields[4].upper()
    if day.isdigit() and int(day) <= 7:
        index = int(day) % 7
    elif day in _WEEKDAYS:
        index = _WEEKDAYS.index(day)
    else:
        return None
    return " ".join([*fields[:4], _WEEKDAYS[(index + days) % 7]])
