"""Shout-out ("coup de pouce"): members put someone forward — a member, or an outside account,
expert or tool given as a link — with a reason; once a week the roundup celebrates them all.

Nominations are kept per week of the community's calendar: one per nominator and person (or
link) per week, so a second one only updates the reason and is never counted twice. The
roundup posts every nomination not yet announced, grouped by who is boosted, tells each
boosted member privately, then marks them announced; only the last weeks are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from markupsafe import Markup
from pydantic import Field, field_validator

from hub.core.config.models import Cron, ScheduledRitualSection
from hub.core.model import catalogue
from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked, Event, MemberForgotten, MembersMerged
from hub.core.model.mentions import is_mention, normalized
from hub.core.model.messages import Outbound
from hub.core.model.richtext import RichText, escape_markup
from hub.core.model.ritual import NOTHING, Occurrence, Record, RitualContext, RitualResult, Signal
from hub.core.model.schedule import next_occurrence
from hub.core.model.templates import TemplateSource, trusted
from hub.rituals.base import (
    check_texts,
    local,
    member_vars,
    posts,
    privately,
    refusal,
    reply,
    text,
    web_address,
)
from hub.rituals.base import week_key as current_week

VERBS = ("shoutout", "coupdepouce")
KEEP_WEEKS = 2  # weeks kept after a roundup (the one just announced and the one before)
KEEP_PENDING_WEEKS = 4  # bound on the state when no roundup runs
MAX_URL = 500
_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_USAGE_FR = (
    "Pour donner un coup de pouce : `/hub {{ verb }} @membre pourquoi…` ou "
    "`/hub {{ verb }} https://… pourquoi…`, par exemple "
    "`/hub {{ verb }} @Zoé m'a débloqué sur ma facturation`."
)
_USAGE_EN = (
    "To give a shout-out: `/hub {{ verb }} @member why…` or `/hub {{ verb }} https://… why…`, "
    "for example `/hub {{ verb }} @Zoe helped me sort out my invoicing`."
)

Nomination = dict[str, Any]
"""{"by", "member" | "url", "why", "platform", "space", "at", "announced"} (JSON-safe)."""
Weeks = dict[str, list[Nomination]]


class ShoutoutConfig(ScheduledRitualSection):
    """`rituals.shoutout`: when the weekly roundup is posted, where, and the limits."""

    schedule: Cron = "0 17 * * FRI"
    max_reason: Annotated[int, Field(ge=1, le=2000)] = 280
    max_per_week: Annotated[int, Field(ge=1, le=100)] = 10
    """Nominations one member may give in a week (keeps the roundup readable)."""
    post_when_empty: bool = False
    """With no nomination that week, post a short invitation to nominate instead of nothing."""
    texts: dict[str, TemplateSource] = Field(default_factory=dict)

    @field_validator("texts")
    @classmethod
    def _known_texts(cls, value: dict[str, str]) -> dict[str, str]:
        check_texts(value, Shoutout.default_texts)
        return value


class Shoutout:
    """Collects the week's shout-outs and celebrates them in one roundup."""

    name: ClassVar[str] = "shoutout"
    config_model: ClassVar[type[ScheduledRitualSection]] = ShoutoutConfig
    always_on: ClassVar[bool] = False
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("shoutout")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("shoutout")
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("shoutout")

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Answer the shout-out commands; follow merged and forgotten members."""
        if isinstance(event, MembersMerged):
            return _merge(ctx, event.kept, event.merged)
        if isinstance(event, MemberForgotten):
            return _forget(ctx, event.member_id)
        if not isinstance(event, CommandInvoked) or event.name not in VERBS:
            return NOTHING
        if ctx.member is None:
            return NOTHING
        first = event.args[0].casefold() if event.args else ""
        handler = _SUBVERBS.get(first)
        if handler is not None:
            return handler(ctx, event, ctx.member, event.args[1:])
        return _nominate(ctx, event, ctx.member, event.args)

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """The weekly roundup: every nomination not yet announced, then archive them."""
        config = _config(ctx)
        weeks = _weeks(ctx)
        pending = [n for week in sorted(weeks) for n in weeks[week] if not n["announced"]]
        groups = _groups(ctx, pending)
        archived = _recent({w: [{**n, "announced": True} for n in ns] for w, ns in weeks.items()})
        state = {**ctx.state, "weeks": archived}
        if not groups:
            invitation = posts(ctx, "shoutout:empty", text(ctx, config.texts.get("empty"), "empty"))
            return RitualResult(outbound=invitation if config.post_when_empty else (), state=state)
        roundup = text(ctx, config.texts.get("roundup"), "roundup", groups=_shown(groups))
        told = tuple(_told(ctx, group) for group in groups if _reachable(group))
        record = Record(kind="roundup", data={"weeks": sorted(weeks), "nominations": len(pending)})
        return RitualResult(
            outbound=(*posts(ctx, "shoutout:roundup", roundup), *told),
            state=state,
            records=(record,),
        )


# --- who is boosted ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Boosted:
    """A resolved target: a member, or an outside account given as a link."""

    member: Member | None
    url: str | None
    consumed: int
    """How many command arguments named it (a quoted or several-word name)."""

    @property
    def key(self) -> str:
        """What makes two nominations the same (a link however it is written)."""
        return _target_key(self.member.id if self.member else None, self.url)

    @property
    def label(self) -> str:
        """How replies name it: the member's name or the link."""
        return self.member.display_name if self.member else str(self.url)


def _target_key(member_id: int | None, url: str | None) -> str:
    if member_id is not None:
        return f"member:{member_id}"
    parts = urlsplit(str(url))
    host = parts.netloc.casefold().removeprefix("www.")
    query = f"?{parts.query}" if parts.query else ""
    return f"url:{host}{parts.path.rstrip('/')}{query}"


def _key(nomination: Nomination) -> str:
    return _target_key(nomination.get("member"), nomination.get("url"))


def _resolve(
    ctx: RitualContext, event: CommandInvoked, args: tuple[str, ...], usage: str
) -> _Boosted | Outbound:
    """Who the first arguments name, or the reply saying what is wrong with them."""
    if not args:
        return _error(ctx, event, usage)
    url = web_address(args[0], MAX_URL)
    if url is not None:
        return _Boosted(None, url, 1)
    if not is_mention(args[0]):
        return _error(ctx, event, usage, "bad_target", token=args[0])
    found = ctx.directory.find(args[0], event.platform)
    if len(found) == 1:
        return _Boosted(found[0], None, 1)
    if not found:
        return _error(ctx, event, usage, "unknown_member", token=args[0])
    longer = _full_name(ctx, event, args)
    if longer is not None:
        return longer
    names = [m.display_name for m in found]
    return _error(ctx, event, usage, "ambiguous", token=args[0], names=names)


def _full_name(ctx: RitualContext, event: CommandInvoked, args: tuple[str, ...]) -> _Boosted | None:
    """`@Marie Curie` typed without quotes: the one member whose full name the words spell."""
    for count in range(2, min(len(args), 3) + 1):
        words = " ".join(args[:count])
        wanted = normalized(words.removeprefix("@"))
        exact = [m for m in ctx.directory.find(words, event.platform) if wanted in _names(m)]
        if len(exact) == 1:
            return _Boosted(exact[0], None, count)
    return None


def _names(member: Member) -> set[str]:
    return {normalized(member.display_name)} | {
        normalized(i.display_name) for i in member.identities
    }


# --- commands --------------------------------------------------------------------------------


def _nominate(
    ctx: RitualContext, event: CommandInvoked, who: Member, args: tuple[str, ...]
) -> RitualResult:
    """Note a shout-out for this week, or update the reason of the one already given."""
    boosted = _resolve(ctx, event, args, "usage")
    if isinstance(boosted, Outbound):
        return RitualResult(outbound=(boosted,))
    why = " ".join(args[boosted.consumed :]).strip()
    problem = _problem(ctx, event, who, boosted, why)
    if problem is not None:
        return RitualResult(outbound=(problem,))
    week = current_week(ctx)
    weeks = _weeks(ctx)
    entries = weeks.get(week, [])
    index = _find(entries, who.id, boosted.key)
    if index is not None:
        entries[index] = {**entries[index], **_where(ctx, event), "why": why}
        return _saved(ctx, event, weeks, "updated", boosted, entries[index], week)
    if sum(1 for n in entries if n["by"] == who.id) >= _config(ctx).max_per_week:
        return _answer(ctx, event, "limit", max=_config(ctx).max_per_week)
    nomination: Nomination = {
        "by": who.id,
        "member": boosted.member.id if boosted.member else None,
        "url": boosted.url,
        "why": why,
        **_where(ctx, event),
        "announced": False,
    }
    weeks[week] = [*entries, nomination]
    return _saved(ctx, event, weeks, "given", boosted, nomination, week)


def _problem(
    ctx: RitualContext, event: CommandInvoked, who: Member, boosted: _Boosted, why: str
) -> Outbound | None:
    """What is wrong with a nomination whose target is known: self, no reason, too long."""
    if boosted.member is not None and boosted.member.id == who.id:
        return reply(ctx, event, "shoutout:error", _say(ctx, "self"))
    if not why:
        return _error(ctx, event, "usage", "missing_reason")
    limit = _config(ctx).max_reason
    if len(why) > limit:
        return _error(ctx, event, "usage", "too_long", length=len(why), max=limit)
    return None


def _saved(
    ctx: RitualContext,
    event: CommandInvoked,
    weeks: Weeks,
    key: str,
    boosted: _Boosted,
    nomination: Nomination,
    week: str,
) -> RitualResult:
    """The state, reply, record and (for a new shout-out) signal of a saved nomination."""
    body = _say(ctx, key, whom=boosted.label, day=_roundup_day(ctx), verb=event.name)
    kind = "nomination" if key == "given" else "nomination_updated"
    record = Record(kind=kind, member_id=nomination["by"], data={**nomination, "week": week})
    other = boosted.member.id if boosted.member else None
    effects = (Signal(name="given", member_id=nomination["by"], other_member_id=other),)
    return RitualResult(
        outbound=(reply(ctx, event, f"shoutout:{key}", body),),
        state={**ctx.state, "weeks": _recent(weeks, KEEP_PENDING_WEEKS)},
        records=(record,),
        effects=effects if key == "given" else (),
    )


def _withdraw(
    ctx: RitualContext, event: CommandInvoked, who: Member, args: tuple[str, ...]
) -> RitualResult:
    """Take back one's own shout-out of this week."""
    boosted = _resolve(ctx, event, args, "withdraw_usage")
    if isinstance(boosted, Outbound):
        return RitualResult(outbound=(boosted,))
    week = current_week(ctx)
    weeks = _weeks(ctx)
    entries = weeks.get(week, [])
    index = _find(entries, who.id, boosted.key)
    if index is None:
        return _answer(ctx, event, "not_found", whom=boosted.label, verb=event.name)
    removed = entries.pop(index)
    body = _say(ctx, "withdrawn", whom=boosted.label)
    return _dropped(ctx, event, weeks, removed, body, "withdrawal", week)


def _remove(
    ctx: RitualContext, event: CommandInvoked, who: Member, args: tuple[str, ...]
) -> RitualResult:
    """An owner deletes any nomination of this week, by its number in `list`."""
    refused = refusal(ctx, event, _config(ctx).texts, admin=True, private=True)
    if refused is not None:
        return RitualResult(outbound=(refused,))
    week = current_week(ctx)
    weeks = _weeks(ctx)
    entries = weeks.get(week, [])
    number = int(args[0]) if len(args) == 1 and args[0].isdecimal() else 0
    if not 1 <= number <= len(entries):
        return _answer(ctx, event, "remove_usage", count=len(entries), verb=event.name)
    removed = entries.pop(number - 1)
    body = _say(ctx, "removed", number=number, **_listed(ctx, removed))
    return _dropped(ctx, event, weeks, removed, body, "nomination_removed", week, who)


def _dropped(
    ctx: RitualContext,
    event: CommandInvoked,
    weeks: Weeks,
    removed: Nomination,
    body: RichText,
    kind: str,
    week: str,
    owner: Member | None = None,
) -> RitualResult:
    """A withdrawn or removed nomination: its reply, record, and a signal so that counts of
    `given` can be taken back."""
    data = {**removed, "week": week, **({"removed_by": owner.id} if owner else {})}
    signal = Signal(name="withdrawn", member_id=removed["by"], other_member_id=removed["member"])
    return RitualResult(
        outbound=(reply(ctx, event, f"shoutout:{kind}", body),),
        state={**ctx.state, "weeks": weeks},
        records=(Record(kind=kind, member_id=removed["by"], data=data),),
        effects=(signal,),
    )


def _list(
    ctx: RitualContext, event: CommandInvoked, who: Member, args: tuple[str, ...]
) -> RitualResult:
    """This week's nominations, numbered (the numbers `remove` takes)."""
    entries = _weeks(ctx).get(current_week(ctx), [])
    if not entries:
        return _answer(ctx, event, "list_empty", verb=event.name)
    items = [{"number": i, **_listed(ctx, n)} for i, n in enumerate(entries, start=1)]
    return _answer(ctx, event, "list", items=items)


_SUBVERBS: dict[
    str, Callable[[RitualContext, CommandInvoked, Member, tuple[str, ...]], RitualResult]
] = {
    "list": _list,
    "liste": _list,
    "withdraw": _withdraw,
    "retirer": _withdraw,
    "remove": _remove,
    "supprimer": _remove,
}


def _listed(ctx: RitualContext, nomination: Nomination) -> dict[str, str]:
    """How a nomination reads in `list`: whom (name or link), by whom, why."""
    whom = _member(ctx, nomination.get("member"))
    by = _member(ctx, nomination["by"])
    return {
        "whom": whom.display_name if whom else str(nomination.get("url") or "?"),
        "by": by.display_name if by else "?",
        "why": nomination["why"],
    }


# --- roundup ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Group:
    """Everyone who boosted one member or link, in the order they did."""

    member: Member | None
    url: str | None
    boosts: list[dict[str, str]]


def _groups(ctx: RitualContext, nominations: list[Nomination]) -> list[_Group]:
    """Nominations grouped by who is boosted, first boosted first; those naming a member who
    is no longer known are left out."""
    groups: dict[str, _Group] = {}
    for nomination in nominations:
        by = _member(ctx, nomination["by"])
        member = _member(ctx, nomination.get("member"))
        if by is None or (nomination.get("member") is not None and member is None):
            continue
        group = groups.setdefault(
            _key(nomination), _Group(member, nomination.get("url"), boosts=[])
        )
        group.boosts.append({"by": by.display_name, "why": nomination["why"]})
    return list(groups.values())


def _shown(groups: list[_Group]) -> list[dict[str, Any]]:
    """What the roundup template sees of each group: `who` (mention or link), `name`,
    `is_member` and `boosts` (`by`, `why`)."""
    return [
        {
            "who": _who(group),
            "name": group.member.display_name if group.member else group.url,
            "is_member": group.member is not None,
            "boosts": group.boosts,
        }
        for group in groups
    ]


def _who(group: _Group) -> Markup:
    if group.member is not None:
        mention: Markup = member_vars(group.member)["mention"]
        return mention
    url = escape_markup(str(group.url))
    return trusted(f"[{url}]({url})")


def _reachable(group: _Group) -> bool:
    return group.member is not None and group.member.reachable


def _told(ctx: RitualContext, group: _Group) -> Outbound:
    """The private note to a boosted member: who boosted them and why."""
    assert group.member is not None
    body = text(ctx, _config(ctx).texts.get("told"), "told", boosts=group.boosts)
    return privately(ctx, group.member.id, f"shoutout:told:{group.member.id}", body)


def _roundup_day(ctx: RitualContext) -> str:
    """The weekday of the next roundup, in the community's language ("vendredi")."""
    when = next_occurrence(_config(ctx).schedule, ctx.community.timezone, ctx.now)
    days = _DAYS.get(ctx.community.locale, _DAYS["en"])
    return days[local(ctx, when).weekday()]


# --- members merged or forgotten -------------------------------------------------------------


def _merge(ctx: RitualContext, kept: int, merged: int) -> RitualResult:
    """`merged` is now `kept`: rename, drop what became self-nominations, and fold the
    duplicates this creates into one (the latest reason wins)."""

    def renamed(nomination: Nomination) -> Nomination:
        by, whom = nomination["by"], nomination.get("member")
        return {
            **nomination,
            "by": kept if by == merged else by,
            "member": kept if whom == merged else whom,
        }

    weeks = {
        week: _folded([n for n in map(renamed, entries) if n["by"] != n.get("member")])
        for week, entries in _weeks(ctx).items()
    }
    return RitualResult(state={**ctx.state, "weeks": weeks})


def _folded(entries: list[Nomination]) -> list[Nomination]:
    out: list[Nomination] = []
    for nomination in entries:
        index = _find(out, nomination["by"], _key(nomination))
        if index is None:
            out.append(nomination)
            continue
        first = out[index]
        latest = max(first, nomination, key=lambda n: datetime.fromisoformat(n["at"]))
        announced = first["announced"] and nomination["announced"]
        out[index] = {**first, "why": latest["why"], "at": latest["at"], "announced": announced}
    return out


def _forget(ctx: RitualContext, member_id: int) -> RitualResult:
    """Drop every nomination the member gave or received."""
    weeks = {
        week: [n for n in entries if member_id not in (n["by"], n.get("member"))]
        for week, entries in _weeks(ctx).items()
    }
    return RitualResult(state={**ctx.state, "weeks": weeks})


# --- small helpers ---------------------------------------------------------------------------


def _weeks(ctx: RitualContext) -> Weeks:
    """A copy of the nominations by week that may be changed freely."""
    stored: Mapping[str, list[Nomination]] = ctx.state.get("weeks", {})
    return {week: [dict(n) for n in entries] for week, entries in stored.items()}


def _recent(weeks: Weeks, keep: int = KEEP_WEEKS) -> Weeks:
    """The last `keep` weeks that hold nominations, so the state stays small."""
    return {week: weeks[week] for week in sorted(w for w in weeks if weeks[w])[-keep:]}


def _find(entries: list[Nomination], by: int, key: str) -> int | None:
    return next(
        (i for i, n in enumerate(entries) if n["by"] == by and _key(n) == key),
        None,
    )


def _where(ctx: RitualContext, event: CommandInvoked) -> dict[str, Any]:
    return {"platform": event.platform, "space": event.space, "at": ctx.now.isoformat()}


def _member(ctx: RitualContext, member_id: int | None) -> Member | None:
    return ctx.directory.member(member_id) if member_id is not None else None


def _say(ctx: RitualContext, key: str, **variables: Any) -> RichText:
    return text(ctx, _config(ctx).texts.get(key), key, **variables)


def _answer(ctx: RitualContext, event: CommandInvoked, key: str, **variables: Any) -> RitualResult:
    body = _say(ctx, key, **variables)
    return RitualResult(outbound=(reply(ctx, event, f"shoutout:{key}", body),))


def _error(
    ctx: RitualContext, event: CommandInvoked, usage: str, key: str | None = None, **variables: Any
) -> Outbound:
    """A short reply saying what is wrong, followed by the usage."""
    how = _say(ctx, usage, verb=event.name)
    body = RichText(_say(ctx, key, **variables).blocks + how.blocks) if key else how
    return reply(ctx, event, "shoutout:error", body)


def _config(ctx: RitualContext) -> ShoutoutConfig:
    assert isinstance(ctx.config, ShoutoutConfig)
    return ctx.config
