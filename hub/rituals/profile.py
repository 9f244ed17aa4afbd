"""Profile: member cards (bio, skills, link, city), `/hub who` to find who knows what, and an
optional scheduled post introducing the members who joined most recently.

Cards belong to the core (`Member.profile`): this ritual only asks for changes with the
`SetProfile` effect, so its own state holds nothing but who was already introduced (member
references the core renames on a link and drops on forget-me).
Whatever a member typed reaches a message as a template variable, escaped for the markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, ClassVar

from pydantic import Field, field_validator

from hub.core.config.models import Cron, RitualSection
from hub.core.model import catalogue
from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked, Event
from hub.core.model.member_records import MemberRef, RitualState
from hub.core.model.mentions import is_mention, normalized
from hub.core.model.richtext import RichText
from hub.core.model.ritual import (
    NOTHING,
    Occurrence,
    Record,
    RitualContext,
    RitualResult,
    SetProfile,
)
from hub.core.model.templates import TemplateSource
from hub.rituals.base import (
    check_texts,
    member_vars,
    posts,
    reply,
    served_spaces,
    state_of,
    text,
    web_address,
)

FIELDS = ("bio", "skills", "link", "city")
LIMITS = {"bio": 300, "skills": 200, "link": 200, "city": 60}
# What members may type for each field (compared normalized: case and accents ignored).
FIELD_NAMES = {
    "bio": "bio",
    "skills": "skills",
    "skill": "skills",
    "competences": "skills",
    "competence": "skills",
    "link": "link",
    "lien": "link",
    "city": "city",
    "ville": "city",
}
SET_WORDS = {"set"}
CLEAR_WORDS = {"clear"}
WHO_VERBS = {"who", "qui"}
WHO_LIMIT = 10  # members listed by one `/hub who`
KEEP_INTRODUCED = 1000  # ids remembered as introduced, the most recent ones


class ProfileConfig(RitualSection):
    """`rituals.profile`: when to post "meet the members" (never by default), how many members
    each post introduces, and the texts."""

    meet_schedule: Cron | None = None
    meet_count: Annotated[int, Field(ge=1, le=10)] = 3
    texts: dict[str, TemplateSource] = Field(default_factory=dict)

    @field_validator("texts")
    @classmethod
    def _known(cls, texts: dict[str, str]) -> dict[str, str]:
        check_texts(texts, Profile.default_texts)
        return texts

    def schedules(self) -> dict[str, str]:
        """The "meet the members" post, when scheduled."""
        return {"meet": self.meet_schedule} if self.meet_schedule else {}


_LABELS_FR = (
    '{% set label = {"bio": "ta bio", "skills": "tes compétences", "link": "ton lien", '
    '"city": "ta ville"}[field] %}'
)
_LABELS_EN = (
    '{% set label = {"bio": "your bio", "skills": "your skills", "link": "your link", '
    '"city": "your city"}[field] %}'
)


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
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("profile")
    state_model: ClassVar[type[RitualState]] = ProfileState

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Answer `profile` and `who`."""
        if not isinstance(event, CommandInvoked) or ctx.member is None:
            return NOTHING
        if event.name == "profile":
            return _profile(ctx, event, ctx.member)
        if event.name in WHO_VERBS:
            return _who(ctx, event)
        return NOTHING

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Introduce the most recent members with a card who were not introduced yet."""
        config = _config(ctx)
        if config.meet_schedule is None and not occurrence.manual:
            return NOTHING
        introduced = state_of(ctx, ProfileState).introduced
        fresh = _newcomers(ctx.directory.members(), set(introduced), config.meet_count)
        if not fresh or not served_spaces(ctx):
            return NOTHING
        intro = _say(ctx, "meet", members=[member_vars(m) for m in fresh])
        body = RichText(intro.blocks + tuple(b for m in fresh for b in _card(ctx, m).blocks))
        outbound = posts(ctx, "profile:meet", body)
        records = tuple(
            Record(kind="introduced", data={"occurrence": occurrence.id}, member_id=m.id)
            for m in fresh
        )
        remembered = [*introduced, *(m.id for m in fresh)][-KEEP_INTRODUCED:]
        state = ProfileState(introduced=remembered)
        return RitualResult(outbound=outbound, state=state, records=records)


# --- /hub profile ---------------------------------------------------------------------------


def _profile(ctx: RitualContext, event: CommandInvoked, me: Member) -> RitualResult:
    """Dispatch `/hub profile [set|clear|@member] …`."""
    if not event.args:
        return _show(ctx, event, me, own=True)
    word, rest = normalized(event.args[0]), event.args[1:]
    if word in SET_WORDS:
        return _set(ctx, event, me, rest)
    if word in CLEAR_WORDS:
        return _clear(ctx, event, me, rest)
    if is_mention(event.args[0]):
        return _show_other(ctx, event, me, " ".join(event.args))
    return _answer(ctx, event, "usage")


def _show(ctx: RitualContext, event: CommandInvoked, member: Member, *, own: bool) -> RitualResult:
    if _card_fields(member.profile):
        return _answer_body(ctx, event, "profile:card", _card(ctx, member))
    key = "card_empty_own" if own else "card_empty"
    return _answer(ctx, event, key, card=_card_vars(member, member.profile))


def _show_other(ctx: RitualContext, event: CommandInvoked, me: Member, token: str) -> RitualResult:
    found = ctx.directory.find(token, event.platform)
    if not found:
        return _answer(ctx, event, "unknown_member", token=token)
    if len(found) > 1:
        return _answer(ctx, event, "ambiguous_member", token=token)
    return _show(ctx, event, found[0], own=found[0].id == me.id)


def _set(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: Sequence[str]
) -> RitualResult:
    """Validate a new value and ask the core to store it; bad input changes nothing."""
    if len(args) < 2:
        return _answer(ctx, event, "usage")
    field = FIELD_NAMES.get(normalized(args[0]))
    if field is None:
        return _wrong(ctx, event, "unknown_field", field=args[0])
    value = _cleaned(field, " ".join(args[1:]))
    problem = _problem(field, value)
    if problem is not None:
        return _wrong(ctx, event, problem, field=field, limit=LIMITS[field], length=len(value))
    card = _card(ctx, me, {**me.profile, field: value})
    body = RichText(_say(ctx, "saved").blocks + card.blocks)
    return RitualResult(
        outbound=(reply(ctx, event, "profile:saved", body),),
        effects=(SetProfile(member_id=me.id, fields={field: value}),),
        records=(Record(kind="profile_set", data={"field": field}, member_id=me.id),),
    )


def _clear(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: Sequence[str]
) -> RitualResult:
    """Ask the core to remove one field of the member's card."""
    if len(args) != 1:
        return _answer(ctx, event, "usage")
    field = FIELD_NAMES.get(normalized(args[0]))
    if field is None:
        return _wrong(ctx, event, "unknown_field", field=args[0])
    return RitualResult(
        outbound=(reply(ctx, event, "profile:cleared", _say(ctx, "cleared", field=field)),),
        effects=(SetProfile(member_id=me.id, fields={field: None}),),
        records=(Record(kind="profile_cleared", data={"field": field}, member_id=me.id),),
    )


def _cleaned(field: str, raw: str) -> str:
    """The value as stored: single spaces; skills as "a, b, c" without blanks or repeats."""
    value = " ".join(raw.split())
    if field != "skills":
        return value
    skills: list[str] = []
    for skill in (" ".join(part.split()) for part in value.split(",")):
        if skill and skill.casefold() not in {s.casefold() for s in skills}:
            skills.append(skill)
    return ", ".join(skills)


def _problem(field: str, value: str) -> str | None:
    """The text key saying what is wrong with a value, or None when it may be stored."""
    if not value:
        return "usage"
    if len(value) > LIMITS[field]:
        return "too_long"
    if field == "link" and web_address(value, LIMITS["link"]) is None:
        return "bad_link"
    return None


# --- /hub who -------------------------------------------------------------------------------


def _who(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """List up to WHO_LIMIT members whose card or name mentions the word (names, no pings)."""
    word = " ".join(" ".join(event.args).split())
    wanted = normalized(word)
    if not wanted:
        return _answer(ctx, event, "who_usage")
    found = _search(ctx.directory.members(), wanted)
    if not found:
        return _answer(ctx, event, "who_nobody", word=word)
    members = [_card_vars(m, m.profile) for m in found[:WHO_LIMIT]]
    more = max(0, len(found) - WHO_LIMIT)
    body = _say(ctx, "who_found", word=word, members=members, more=more)
    return _answer_body(ctx, event, "who:found", body)


def _search(members: Iterable[Member], wanted: str) -> list[Member]:
    """Members matching `wanted`, those who list it as a skill first, then by name, then the
    rest; directory order (oldest first) within each group."""
    ranked = [(rank, m) for m in members if (rank := _rank(m, wanted)) is not None]
    return [m for _, m in sorted(ranked, key=lambda pair: pair[0])]


def _rank(member: Member, wanted: str) -> int | None:
    profile = member.profile
    if any(wanted in normalized(s) for s in profile.get("skills", "").split(",")):
        return 0
    if wanted in normalized(member.display_name):
        return 1
    if any(wanted in normalized(profile.get(f, "")) for f in ("bio", "city")):
        return 2
    return None


# --- meet the members -----------------------------------------------------------------------


def _newcomers(members: Iterable[Member], introduced: set[int], count: int) -> list[Member]:
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


# --- texts ----------------------------------------------------------------------------------


def _card_fields(profile: Mapping[str, str]) -> dict[str, str]:
    """The card's known fields that hold something."""
    return {f: profile[f] for f in FIELDS if profile.get(f, "").strip()}


def _card_vars(member: Member, profile: Mapping[str, str]) -> dict[str, Any]:
    """What the templates see of a card: the member's name and each field ("" when unset)."""
    fields = _card_fields(profile)
    return {**member_vars(member), **{f: fields.get(f, "") for f in FIELDS}}


def _card(ctx: RitualContext, member: Member, profile: Mapping[str, str] | None = None) -> RichText:
    shown = member.profile if profile is None else profile
    return _say(ctx, "card", card=_card_vars(member, shown))


def _say(ctx: RitualContext, key: str, **variables: Any) -> RichText:
    return text(ctx, _config(ctx).texts.get(key), key, **variables)


def _answer_body(
    ctx: RitualContext, event: CommandInvoked, key: str, body: RichText
) -> RitualResult:
    return RitualResult(outbound=(reply(ctx, event, key, body),))


def _answer(ctx: RitualContext, event: CommandInvoked, key: str, **variables: Any) -> RitualResult:
    """A reply with one text and nothing else changed (no state, no effect)."""
    return _answer_body(ctx, event, f"profile:{key}", _say(ctx, key, **variables))


def _wrong(ctx: RitualContext, event: CommandInvoked, key: str, **variables: Any) -> RitualResult:
    """What is wrong, then the usage; nothing changes."""
    body = RichText(_say(ctx, key, **variables).blocks + _say(ctx, "usage").blocks)
    return _answer_body(ctx, event, f"profile:{key}", body)


def _config(ctx: RitualContext) -> ProfileConfig:
    assert isinstance(ctx.config, ProfileConfig)
    return ctx.config
