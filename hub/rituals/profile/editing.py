"""`/hub profile`: show a card, one's own or another member's; set or clear a field."""

from __future__ import annotations

from collections.abc import Sequence

from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked
from hub.core.model.mentions import is_mention, normalized
from hub.core.model.richtext import RichText
from hub.core.model.ritual import Record, RitualContext, RitualResult, SetProfile
from hub.rituals.base import reply, web_address
from hub.rituals.profile.config import LIMITS
from hub.rituals.profile.talk import answer, answer_body, card, card_fields, card_vars, say, wrong

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


def profile(ctx: RitualContext, event: CommandInvoked, me: Member) -> RitualResult:
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
    return answer(ctx, event, "usage")


def _show(ctx: RitualContext, event: CommandInvoked, member: Member, *, own: bool) -> RitualResult:
    if card_fields(member.profile):
        return answer_body(ctx, event, "profile:card", card(ctx, member))
    key = "card_empty_own" if own else "card_empty"
    return answer(ctx, event, key, card=card_vars(member, member.profile))


def _show_other(ctx: RitualContext, event: CommandInvoked, me: Member, token: str) -> RitualResult:
    found = ctx.directory.find(token, event.platform)
    if not found:
        return answer(ctx, event, "unknown_member", token=token)
    if len(found) > 1:
        return answer(ctx, event, "ambiguous_member", token=token)
    return _show(ctx, event, found[0], own=found[0].id == me.id)


def _set(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: Sequence[str]
) -> RitualResult:
    """Validate a new value and ask the core to store it; bad input changes nothing."""
    if len(args) < 2:
        return answer(ctx, event, "usage")
    field = FIELD_NAMES.get(normalized(args[0]))
    if field is None:
        return wrong(ctx, event, "unknown_field", field=args[0])
    value = _cleaned(field, " ".join(args[1:]))
    problem = _problem(field, value)
    if problem is not None:
        return wrong(ctx, event, problem, field=field, limit=LIMITS[field], length=len(value))
    shown = card(ctx, me, {**me.profile, field: value})
    body = RichText(say(ctx, "saved").blocks + shown.blocks)
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
        return answer(ctx, event, "usage")
    field = FIELD_NAMES.get(normalized(args[0]))
    if field is None:
        return wrong(ctx, event, "unknown_field", field=args[0])
    return RitualResult(
        outbound=(reply(ctx, event, "profile:cleared", say(ctx, "cleared", field=field)),),
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
