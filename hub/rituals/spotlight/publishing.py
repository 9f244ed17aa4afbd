"""The spotlight post, and the private ask to the member who comes next."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from babel.dates import format_date

from hub.core.model.domain import Member
from hub.core.model.messages import Outbound
from hub.core.model.richtext import RichText
from hub.core.model.ritual import Record, RitualContext
from hub.core.model.schedule import next_occurrence
from hub.rituals.base import local, member_vars, privately, web_address
from hub.rituals.spotlight.rotation import Rotation
from hub.rituals.spotlight.state import Asked
from hub.rituals.spotlight.talk import VERB, config_of, say

LINK_LIMIT = 300
PROFILE_FIELDS = ("bio", "skills", "link", "city")


def post_body(ctx: RitualContext, member: Member, answer: Asked | None) -> tuple[str, RichText]:
    """The spotlight: their own words if they answered, else their card, else a warm hello."""
    featured = member_vars(member)
    if answer is not None and (answer.pitch or answer.link):
        body = say(ctx, "post_pitch", featured=featured, pitch=answer.pitch, link=answer.link)
        return "pitch", body
    card = _card(member.profile)
    if card:
        fields = {f: card.get(f) for f in PROFILE_FIELDS}
        return "profile", say(ctx, "post_profile", featured=featured, **fields)
    return "generic", say(ctx, "post_generic", featured=featured)


def _card(profile: Mapping[str, str]) -> dict[str, str]:
    """The profile fields worth showing (a link only if it is a web address)."""
    card = {f: profile[f].strip() for f in PROFILE_FIELDS if profile.get(f, "").strip()}
    if "link" in card and web_address(card["link"], LINK_LIMIT) is None:
        del card["link"]
    return card


def ask_next(
    ctx: RitualContext,
    rotation: Rotation,
    present: Mapping[int, Member],
    after: datetime,
    exclude: int | None = None,
) -> tuple[list[Outbound], list[Record]]:
    """Privately ask the member who comes next for a pitch and a link, if anyone may be."""
    chosen = rotation.choose(present, exclude)
    if chosen is None:
        return [], []
    rotation.ask(chosen)
    member = present[chosen]
    date = publication_date(ctx, after)
    body = say(ctx, "ask", name=member.display_name, date=date)
    ask = privately(ctx, chosen, f"{VERB}:ask:{chosen}", body)
    return [ask], [Record(kind="asked", data={"for": date}, member_id=chosen)]


def publication_date(ctx: RitualContext, after: datetime | None = None) -> str:
    """The day of the next publication, spoken in the community's language: "mercredi 2
    décembre", "Wednesday 2 December"."""
    when = next_occurrence(config_of(ctx).schedule, ctx.community.timezone, after or ctx.now)
    return format_date(local(ctx, when).date(), "EEEE d MMMM", locale=ctx.community.locale)
