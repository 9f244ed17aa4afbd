"""What a ritual decides on, and what becomes of its decision.

A cause (an inbound event, an occurrence, or a follow-up signal) names the deliveries it
leads to; every ritual deciding on it gets a context built the same way. What one ritual's
decision produced is carried out on its own (`Ran`), so that a ritual that raises loses its
own work only and is logged as such.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from hub.core.model.community import CommunityRuntime, EnabledRitual
from hub.core.model.domain import Identity, Member
from hub.core.model.events import Event, RitualSignalled
from hub.core.model.member_records import RitualState
from hub.core.model.ritual import (
    Directory,
    Occurrence,
    RepliedTo,
    Ritual,
    RitualContext,
    RitualResult,
)
from hub.core.model.templates import TemplateError
from hub.core.ports import UnitOfWork

log = structlog.get_logger(__name__)

Decide = Callable[[Ritual, RitualContext], RitualResult]
"""How a ritual decides on a cause: its `on_event` or its `on_occurrence`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Cause:
    """Why rituals run: an event or an occurrence; names deliveries for idempotency."""

    key: str
    seed: str
    member: Member | None = None
    actor: Identity | None = None
    """The account that acted (None for an occurrence or a follow-up): whose rights count."""
    replied_to: RepliedTo | None = None
    private_link: str | None = None


@dataclass(slots=True, kw_only=True)
class Ran:
    """What one ritual's decision produced, once carried out."""

    ids: list[int] = field(default_factory=list)
    follow_ups: list[Event] = field(default_factory=list)
    changed_members: bool = False


def text_failed(ritual: str, cause: str, error: TemplateError) -> None:
    log.error(
        "ritual.text_failed",
        ritual=ritual,
        cause=cause,
        error=str(error),
        hint=f"check the texts of rituals.{ritual} in the YAML file",
    )


def ritual_failed(ritual: str, cause: str, error: Exception) -> None:
    """A bug in one ritual: its work is undone, the other rituals' stays."""
    log.error(
        "ritual.failed", ritual=ritual, cause=cause, error=type(error).__name__, exc_info=error
    )


def signalled_member(uow: UnitOfWork, event: Event) -> Member | None:
    """The member who did what a ritual signalled: the `ctx.member` of the follow-up."""
    if not isinstance(event, RitualSignalled):
        return None
    return uow.members.get(event.member_id)


def on_event(event: Event) -> Decide:
    """A ritual deciding on an event."""
    return lambda ritual, ctx: ritual.on_event(ctx, event)


def on_occurrence(occurrence: Occurrence) -> Decide:
    """A ritual deciding on one of its occurrences."""
    return lambda ritual, ctx: ritual.on_occurrence(ctx, occurrence)


@dataclass(frozen=True, slots=True, kw_only=True)
class Audience:
    """What every ritual deciding on one cause is told alike, worked out once per cause."""

    runtime: CommunityRuntime
    now: datetime
    directory: Directory
    admin: bool
    commands: Mapping[str, str]
    verbs: frozenset[str]
    scheduled: tuple[str, ...]


def audience_of(
    runtime: CommunityRuntime, cause: Cause, now: datetime, directory: Directory
) -> Audience:
    admin = runtime.is_owner(cause.actor)
    return Audience(
        runtime=runtime,
        now=now,
        directory=directory,
        admin=admin,
        commands=runtime.commands(admin=admin),
        verbs=frozenset(runtime.verbs.owners),
        scheduled=tuple(name for r in runtime.rituals for name in r.schedules),
    )


def ritual_context(
    enabled: EnabledRitual, cause: Cause, state: RitualState, audience: Audience
) -> RitualContext:
    runtime = audience.runtime
    defaults = enabled.ritual.default_texts
    return RitualContext(
        community=runtime.community,
        config=enabled.config,
        now=audience.now,
        rng=random.Random(f"{cause.seed}:{enabled.name}"),
        state=state,
        spaces=runtime.spaces,
        member=cause.member,
        replied_to=cause.replied_to,
        private_link=cause.private_link,
        texts=defaults.get(runtime.community.locale) or defaults["en"],
        commands=audience.commands,
        directory=audience.directory,
        is_admin=audience.admin,
        entropy=secrets.token_hex(16),
        verbs=audience.verbs,
        scheduled_rituals=audience.scheduled,
    )
