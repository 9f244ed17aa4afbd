"""`rituals.points`: the rules, the badges, the counted reactions and the texts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from hub.core.config.models import Cron, RitualSection, Section
from hub.core.model import catalogue
from hub.core.model.templates import TemplateSource
from hub.rituals.base import known_texts

TEXTS: dict[str, dict[str, str]] = catalogue.texts("points")

DEFAULT_RULES: dict[str, dict[str, int]] = {
    "message": {"points": 1, "daily_cap": 10},
    "icebreaker_answer": {"points": 5, "daily_cap": 1},
    "shoutout_given": {"points": 3, "daily_cap": 3},
    "shoutout_received": {"points": 5, "daily_cap": 5},
    "kudos_received": {"points": 5, "daily_cap": 5},
    "reaction_received": {"points": 1, "daily_cap": 10},
}


class Rule(Section):
    """How many points one action earns, and how many times a day it may earn them."""

    points: Annotated[int, Field(ge=0, le=1000)]
    daily_cap: Annotated[int, Field(ge=1, le=1000)]


class Rules(Section):
    """`rituals.points.rules`: one entry per rule; a partial entry keeps the other default."""

    message: Rule = Rule(**DEFAULT_RULES["message"])
    icebreaker_answer: Rule = Rule(**DEFAULT_RULES["icebreaker_answer"])
    shoutout_given: Rule = Rule(**DEFAULT_RULES["shoutout_given"])
    shoutout_received: Rule = Rule(**DEFAULT_RULES["shoutout_received"])
    kudos_received: Rule = Rule(**DEFAULT_RULES["kudos_received"])
    reaction_received: Rule = Rule(**DEFAULT_RULES["reaction_received"])

    @model_validator(mode="before")
    @classmethod
    def _partial_entries(cls, data: Any) -> Any:
        """`message: {points: 2}` keeps message's default cap rather than failing."""
        if not isinstance(data, Mapping):
            return data
        return {
            name: {**DEFAULT_RULES[name], **value}
            if name in DEFAULT_RULES and isinstance(value, Mapping)
            else value
            for name, value in data.items()
        }

    def rule(self, name: str) -> Rule:
        """The settings of the rule called `name`."""
        value = getattr(self, name)
        assert isinstance(value, Rule)
        return value


class Badge(Section):
    """A badge a member earns once their all-time total reaches `threshold`."""

    name: Annotated[str, Field(min_length=1, max_length=60)]
    threshold: Annotated[int, Field(ge=1)]


class PointsConfig(RitualSection):
    """`rituals.points`: rules, badges, counted reactions, the weekly leaderboard and texts.

    `spaces` is where badges and the weekly leaderboard are posted (empty: every space)."""

    rules: Rules = Field(default_factory=Rules)
    badges: list[Badge] = Field(
        default_factory=lambda: [
            Badge(name="Premier pas", threshold=10),
            Badge(name="Pilier", threshold=100),
            Badge(name="Légende", threshold=500),
        ]
    )
    reaction_emoji: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=lambda: [
            *("👍", "❤️", "🔥", "🙏", "👏"),
            *("+1", "heart", "fire", "pray", "clap"),
        ]
    )
    leaderboard_schedule: Cron | None = None
    texts: Annotated[dict[str, TemplateSource], known_texts("points")] = Field(default_factory=dict)

    def schedules(self) -> dict[str, str]:
        """The weekly leaderboard post, when scheduled."""
        return {"leaderboard": self.leaderboard_schedule} if self.leaderboard_schedule else {}

    @field_validator("badges")
    @classmethod
    def _unique(cls, badges: list[Badge]) -> list[Badge]:
        names = [b.name for b in badges]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"badge '{duplicates[0]}' is listed twice")
        return badges
