"""A community as the running hub sees it: its config, spaces and enabled rituals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hub.core.config.models import HubConfig, RitualSection
from hub.core.model.domain import Community, Identity, Space
from hub.core.model.events import CommandInvoked, Event
from hub.core.model.member_records import RitualState
from hub.core.model.ritual import Ritual
from hub.core.model.verbs import VerbRegistry


@dataclass(frozen=True, slots=True, kw_only=True)
class EnabledRitual:
    """A ritual with its configured section."""

    ritual: Ritual
    config: RitualSection

    @property
    def name(self) -> str:
        """The ritual's catalogue name."""
        return self.ritual.name

    @property
    def schedules(self) -> dict[str, str]:
        """Its cron expressions by occurrence name: `icebreaker`, `points:leaderboard`."""
        return {
            occurrence_name(self.name, slot): cron for slot, cron in self.config.schedules().items()
        }


def occurrence_name(ritual: str, slot: str) -> str:
    """How occurrences of a ritual's schedule slot are named (and claimed)."""
    return f"{ritual}:{slot}" if slot else ritual


def split_occurrence_name(name: str) -> tuple[str, str]:
    """(ritual, slot) of an occurrence name."""
    ritual, _, slot = name.partition(":")
    return ritual, slot


@dataclass(frozen=True, slots=True, kw_only=True)
class CommunityRuntime:
    """Everything the services need about one community, built once from its config."""

    community: Community
    config: HubConfig
    spaces: tuple[Space, ...]
    rituals: tuple[EnabledRitual, ...]
    verbs: VerbRegistry
    """Which enabled ritual owns each verb (built with the runtime: a verb claimed twice fails)."""
    catalogue_states: Mapping[str, type[RitualState]] = field(default_factory=dict)
    """The state model of every ritual of the catalogue, enabled here or not."""

    def state_models(self) -> dict[str, type[RitualState]]:
        """The state model of every ritual, enabled or not: what the core needs to rewrite, on
        a link or a forget-me, the member records each keeps. A ritual the YAML disables still
        holds what it kept while it ran; forgetting a member reaches that too."""
        enabled = {e.name: e.ritual.state_model for e in self.rituals}
        return {**self.catalogue_states, **enabled}

    def hearing(self, event: Event) -> tuple[EnabledRitual, ...]:
        """The enabled rituals that decide on `event`: every one, except for a command, which
        only the ritual owning its verb hears (`VerbRegistry.owner_of`)."""
        if not isinstance(event, CommandInvoked):
            return self.rituals
        owner = self.verbs.owner_of(event.name, event.args)
        return tuple(r for r in self.rituals if r.name == owner)

    def commands(self, admin: bool = False) -> dict[str, str]:
        """Every verb the enabled rituals answer (owners' verbs too for an owner), described in
        the community's locale."""
        locale = self.community.locale
        return {
            verb: descriptions.get(locale) or descriptions["en"]
            for enabled in self.rituals
            for table in (enabled.ritual.commands, enabled.ritual.admin_commands if admin else {})
            for verb, descriptions in table.items()
        }

    def is_owner(self, actor: Identity | None) -> bool:
        """Whether the account that acted is listed in `community.owners`.

        The account, not the member: linking another account to an owner's member (`/hub link`)
        must not hand that account the owners' verbs."""
        return actor is not None and f"{actor.platform}:{actor.user_id}" in self.owners

    @property
    def owners(self) -> frozenset[str]:
        """`community.owners`, as `platform:user_id` strings."""
        return frozenset(self.config.community.owners)

    def ritual(self, name: str) -> EnabledRitual | None:
        """The enabled ritual of that name (or of that occurrence name), if any."""
        ritual, _ = split_occurrence_name(name)
        return next((r for r in self.rituals if r.name == ritual), None)

    def spaces_named(self, name: str, platform: str | None = None) -> list[Space]:
        """The spaces of that name, on one platform or on all."""
        return [s for s in self.spaces if s.name == name and platform in (None, s.platform)]

    def space_at(self, platform: str, address: str) -> Space | None:
        """The configured space behind a platform address, if any."""
        return next(
            (s for s in self.spaces if s.platform == platform and s.address == address), None
        )


def build_runtime(config: HubConfig, catalogue: Mapping[str, Ritual]) -> CommunityRuntime:
    """The runtime view of one validated community config; raises `VerbClaimedTwice` when two
    of its enabled rituals declare one verb."""
    section = config.community
    community = Community(
        id=section.id, name=section.name, timezone=section.timezone, locale=section.locale
    )
    spaces = tuple(
        Space(
            community_id=community.id,
            platform=platform,
            name=name,
            address=address,
            opt_in_list=platform_section.spaces_are_opt_in_lists,
        )
        for platform, platform_section in config.platform_sections().items()
        for name, address in platform_section.spaces.items()
    )
    sections = config.ritual_sections()
    for name, ritual in catalogue.items():
        if ritual.always_on and name not in sections:
            sections[name] = ritual.config_model()
    rituals = tuple(
        EnabledRitual(ritual=catalogue[name], config=ritual_section)
        for name, ritual_section in sections.items()
        if ritual_section.enabled and name in catalogue
    )
    return CommunityRuntime(
        community=community,
        config=config,
        spaces=spaces,
        rituals=rituals,
        verbs=VerbRegistry.of(r.ritual for r in rituals),
        catalogue_states={name: ritual.state_model for name, ritual in catalogue.items()},
    )
