"""The profile ritual's entry point, and "meet the members"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from pydantic import Field

from hub.core.config.models import RitualSection
from hub.core.model import catalogue
from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked, Event
from hub.core.model.member_records import MemberRef, RitualState
from hub.core.model.richtext import RichText
from hub.core.model.ritual import NOTHING, Occurrence, Record, RitualContext, RitualResult
from hub.rituals.base import member_vars, posts, served_spaces, state_of
from hub.rituals.profile.config import TEXTS, ProfileConfig
from hub.rituals.profile.editing import profile
from hub.rituals.profile.finding import who
from hub.rituals.profile.talk import card, config_of, say

WHO_VERBS = {"who", "qui"}
KEEP_INTRODUCED = 1000  # ids remembered as introduced, the most recent ones


class ProfileState(RitualState):
    """Who was already introduced by "meet the members", oldest first."""

    introduced: list[MemberRef] = Field(default_factory=list)


class Profile:
    """Shows and edits member cards, finds members by skill, and introduces newcomers."""

    name: ClassVar[str] = "profile"
    config_model: ClassVar[type[RitualSection]] = ProfileConfig
    always_on: ClassVar[bool] = False
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("profile")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("profile")
    default_texts: ClassVar[dict[str, dict[str, str]]] = TEXTS
    state_model: ClassVar[type[RitualState]] = ProfileState

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Answer `profile` and `who`."""
        if not isinstance(event, CommandInvoked) or ctx.member is None:
            return NOTHING
        if event.name == "profile":
            return profile(ctx, event, ctx.member)
        if event.name in WHO_VERBS:
            return who(ctx, event)
        return NOTHING

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Introduce the most recent members with a card who were not introduced yet."""
        config = config_of(ctx)
        if config.meet_schedule is None and not occurrence.manual:
            return NOTHING
        introduced = state_of(ctx, ProfileState).introduced
        fresh = newcomers(ctx.directory.members(), set(introduced), config.meet_count)
        if not fresh or not served_spaces(ctx):
            return NOTHING
        intro = say(ctx, "meet", members=[member_vars(m) for m in fresh])
        body = RichText(intro.blocks + tuple(b for m in fresh for b in card(ctx, m).blocks))
        outbound = posts(ctx, "profile:meet", body)
        records = tuple(
            Record(kind="introduced", data={"occurrence": occurrence.id}, member_id=m.id)
            for m in fresh
        )
        remembered = [*introduced, *(m.id for m in fresh)][-KEEP_INTRODUCED:]
        state = ProfileState(introduced=remembered)
        return RitualResult(outbound=outbound, state=state, records=records)


def newcomers(members: Iterable[Member], introduced: set[int], count: int) -> list[Member]:
    """The `count` most recently joined members with a bio or skills, not introduced yet."""
    candidates = [
        m
        for m in members
        if m.id not in introduced and (m.profile.get("bio") or m.profile.get("skills"))
    ]
    candidates.sort(key=_joined, reverse=True)
    return candidates[:count]


def _joined(member: Member) -> tuple[float, int]:
    """Sort key by join time (unknown: oldest), ties by id (the newer member first)."""
    when = member.joined_at.timestamp() if member.joined_at is not None else 0.0
    return when, member.id
