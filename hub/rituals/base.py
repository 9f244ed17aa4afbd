"""Small helpers shared by rituals: templated texts in the community's language, replies
where a command was asked, and the community's calendar (days and weeks in its timezone)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import AfterValidator

from hub.core.model import catalogue
from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked, Event
from hub.core.model.member_records import RitualState
from hub.core.model.messages import MemberTarget, Outbound, SpaceTarget, Target
from hub.core.model.richtext import RichText
from hub.core.model.ritual import RitualContext
from hub.core.model.templates import community_variables, member_variables, render_template

S = TypeVar("S", bound=RitualState)


def state_of(ctx: RitualContext, model: type[S]) -> S:
    """The ritual's state as its own model, a copy the ritual may change freely."""
    if isinstance(ctx.state, model):
        return ctx.state.model_copy(deep=True)
    return model.model_validate(ctx.state.model_dump())


def template_variables(ctx: RitualContext, **extra: Any) -> dict[str, Any]:
    """What every template sees: `community`, `member` (when there is one), and `extra`."""
    variables: dict[str, Any] = {
        "community": community_variables(
            ctx.community.id, ctx.community.name, ctx.community.locale
        ),
        **extra,
    }
    if ctx.member is not None:
        variables["member"] = member_variables(ctx.member.id, ctx.member.display_name)
    return variables


def text(ctx: RitualContext, override: str | None, key: str, **extra: Any) -> RichText:
    """The owner's text if set in YAML, else the ritual's default in the community's locale."""
    source = override if override is not None else ctx.texts[key]
    return render_template(source, template_variables(ctx, **extra))


def reply_target(ctx: RitualContext, event: Event) -> Target:
    """Where to answer a member: in the space they wrote in, else in their private chat."""
    if event.space is not None:
        return SpaceTarget(space=event.space, platform=event.platform)
    assert ctx.member is not None
    return MemberTarget(member_id=ctx.member.id, platform=event.platform)


def reply(ctx: RitualContext, event: Event, key: str, body: RichText) -> Outbound:
    """An answer to the member's command, where they asked it."""
    return Outbound(key=key, target=reply_target(ctx, event), body=body)


def privately(ctx: RitualContext, member_id: int, key: str, body: RichText) -> Outbound:
    """A private message to a member, on the account the hub last saw them on."""
    return Outbound(key=key, target=MemberTarget(member_id=member_id), body=body)


def served_spaces(ctx: RitualContext) -> list[str]:
    """The spaces a ritual posts to: its `spaces`, or every space of the community."""
    return list(ctx.config.spaces) or list(dict.fromkeys(s.name for s in ctx.spaces))


def posts(ctx: RitualContext, key: str, body: RichText) -> tuple[Outbound, ...]:
    """The same post in every space the ritual serves."""
    return tuple(
        Outbound(key=key, target=SpaceTarget(space=space), body=body)
        for space in served_spaces(ctx)
    )


def web_address(token: str, limit: int = 500) -> str | None:
    """The http(s) address with a host (`example.org`) a command argument is, if it is one
    (translators give links as plain addresses). None for anything else, or longer than `limit`."""
    candidate = token.strip()
    if not candidate or len(candidate) > limit or any(c.isspace() for c in candidate):
        return None
    try:
        parts = urlsplit(candidate)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not host or "." not in host.strip("."):
        return None
    return candidate


def member_vars(member: Member) -> dict[str, Any]:
    """What a template sees of a member other than the one acting (`name`, `mention`)."""
    return member_variables(member.id, member.display_name)


def local(ctx: RitualContext, when: datetime | None = None) -> datetime:
    """`when` (default now) in the community's timezone."""
    return (when or ctx.now).astimezone(ZoneInfo(ctx.community.timezone))


def day_key(ctx: RitualContext, when: datetime | None = None) -> str:
    """The community's calendar day, e.g. "2026-11-23": daily caps reset at local midnight."""
    return local(ctx, when).date().isoformat()


def week_key(ctx: RitualContext, when: datetime | None = None) -> str:
    """The community's ISO week, e.g. "2026-W48": weeks start on Monday, local time."""
    year, week, _ = local(ctx, when).isocalendar()
    return f"{year}-W{week:02d}"


def month_key(ctx: RitualContext, when: datetime | None = None) -> str:
    """The community's calendar month, e.g. "2026-11"."""
    return local(ctx, when).strftime("%Y-%m")


def is_command(event: Event, verb: str) -> bool:
    """Whether the event is the member typing `/hub <verb> …`."""
    return isinstance(event, CommandInvoked) and event.name == verb


COMMON_TEXTS: dict[str, dict[str, str]] = catalogue.texts("common")


def common_text(ctx: RitualContext, overrides: Mapping[str, str], key: str) -> RichText:
    """One of the texts every ritual shares (`admin_only`, `private_only`), unless overridden."""
    texts = COMMON_TEXTS.get(ctx.community.locale, COMMON_TEXTS["en"])
    return render_template(overrides.get(key, texts[key]), template_variables(ctx))


def refusal(
    ctx: RitualContext, event: Event, overrides: Mapping[str, str], *, admin: bool, private: bool
) -> Outbound | None:
    """The reply refusing a command used by the wrong person or in the wrong place, if any:
    `admin` verbs are for `community.owners`, `private` ones for the private chat."""
    if admin and not ctx.is_admin:
        return reply(ctx, event, "refused", common_text(ctx, overrides, "admin_only"))
    if private and event.space is not None:
        return reply(ctx, event, "refused", common_text(ctx, overrides, "private_only"))
    return None


def known_texts(part: str) -> AfterValidator:
    """What a ritual config's `texts` field is annotated with: an override whose name the
    ritual (`part` of the catalogue) does not have is an error, a typo in YAML.

        texts: Annotated[dict[str, TemplateSource], known_texts("points")] = Field(...)
    """
    defaults = catalogue.texts(part)  # refilled in place when the catalogue moves

    def check(texts: dict[str, str]) -> dict[str, str]:
        known = set(defaults[catalogue.FALLBACK]) | set(COMMON_TEXTS[catalogue.FALLBACK])
        unknown = sorted(set(texts) - known)
        if unknown:
            names = ", ".join(sorted(known))
            raise ValueError(f"unknown text '{unknown[0]}'; known texts: {names}")
        return texts

    return AfterValidator(check)
