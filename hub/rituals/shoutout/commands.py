"""The shout-out verbs: nominate, withdraw, list, and (owners) remove a nomination."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.core.model.domain import Member
from hub.core.model.events import CommandInvoked
from hub.core.model.messages import Outbound
from hub.core.model.richtext import RichText
from hub.core.model.ritual import Record, RitualContext, RitualResult, Signal
from hub.rituals.base import refusal, reply, state_of
from hub.rituals.base import week_key as current_week
from hub.rituals.shoutout.roundup import roundup_day
from hub.rituals.shoutout.state import KEEP_PENDING_WEEKS, Nomination, ShoutoutState, find
from hub.rituals.shoutout.talk import answer, config_of, error, member_of, say
from hub.rituals.shoutout.targets import Boosted, resolve

Verb = Callable[[RitualContext, CommandInvoked, Member, tuple[str, ...]], RitualResult]


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """A nomination given, updated, withdrawn or removed, with the state it leaves."""

    state: ShoutoutState
    week: str
    nomination: Nomination
    kind: str
    owner: Member | None = None
    """The owner who removed it, if one did."""


def nominate(
    ctx: RitualContext, event: CommandInvoked, who: Member, args: tuple[str, ...]
) -> RitualResult:
    """Note a shout-out for this week, or update the reason of the one already given."""
    boosted = resolve(ctx, event, args, "usage")
    if isinstance(boosted, Outbound):
        return RitualResult(outbound=(boosted,))
    why = " ".join(args[boosted.consumed :]).strip()
    problem = _problem(ctx, event, who, boosted, why)
    if problem is not None:
        return RitualResult(outbound=(problem,))
    week, state = current_week(ctx), state_of(ctx, ShoutoutState)
    entries = state.weeks.setdefault(week, [])
    index = find(entries, who.id, boosted.key)
    if index is not None:
        update = {**_where(ctx, event), "why": why}
        entries[index] = entries[index].model_copy(update=update)
        return _saved(
            ctx,
            event,
            boosted,
            Change(state=state, week=week, nomination=entries[index], kind="updated"),
        )
    if sum(1 for n in entries if n.by == who.id) >= config_of(ctx).max_per_week:
        return answer(ctx, event, "limit", max=config_of(ctx).max_per_week)
    member = boosted.member.id if boosted.member else None
    nomination = Nomination(
        by=who.id, member=member, url=boosted.url, why=why, **_where(ctx, event)
    )
    entries.append(nomination)
    return _saved(
        ctx, event, boosted, Change(state=state, week=week, nomination=nomination, kind="given")
    )


def _problem(
    ctx: RitualContext, event: CommandInvoked, who: Member, boosted: Boosted, why: str
) -> Outbound | None:
    """What is wrong with a nomination whose target is known: self, no reason, too long."""
    if boosted.member is not None and boosted.member.id == who.id:
        return reply(ctx, event, "shoutout:error", say(ctx, "self"))
    if not why:
        return error(ctx, event, "usage", "missing_reason")
    limit = config_of(ctx).max_reason
    if len(why) > limit:
        return error(ctx, event, "usage", "too_long", length=len(why), max=limit)
    return None


def _saved(
    ctx: RitualContext, event: CommandInvoked, boosted: Boosted, change: Change
) -> RitualResult:
    """The state, reply, record and (for a new shout-out) signal of a saved nomination."""
    key, nomination = change.kind, change.nomination
    body = say(ctx, key, whom=boosted.label, day=roundup_day(ctx), verb=event.name)
    kind = "nomination" if key == "given" else "nomination_updated"
    record = Record(kind=kind, member_id=nomination.by, data=_data(change))
    given = Signal(name="given", member_id=nomination.by, other_member_id=nomination.member)
    return RitualResult(
        outbound=(reply(ctx, event, f"shoutout:{key}", body),),
        state=change.state.recent(KEEP_PENDING_WEEKS),
        records=(record,),
        effects=(given,) if key == "given" else (),
    )


def withdraw(
    ctx: RitualContext, event: CommandInvoked, who: Member, args: tuple[str, ...]
) -> RitualResult:
    """Take back one's own shout-out of this week."""
    boosted = resolve(ctx, event, args, "withdraw_usage")
    if isinstance(boosted, Outbound):
        return RitualResult(outbound=(boosted,))
    week, state = current_week(ctx), state_of(ctx, ShoutoutState)
    entries = state.weeks.get(week, [])
    index = find(entries, who.id, boosted.key)
    if index is None:
        return answer(ctx, event, "not_found", whom=boosted.label, verb=event.name)
    removed = entries.pop(index)
    body = say(ctx, "withdrawn", whom=boosted.label)
    return _dropped(
        ctx, event, Change(state=state, week=week, nomination=removed, kind="withdrawal"), body
    )


def remove(
    ctx: RitualContext, event: CommandInvoked, who: Member, args: tuple[str, ...]
) -> RitualResult:
    """An owner deletes any nomination of this week, by its number in `list`."""
    refused = refusal(ctx, event, config_of(ctx).texts, admin=True, private=True)
    if refused is not None:
        return RitualResult(outbound=(refused,))
    week, state = current_week(ctx), state_of(ctx, ShoutoutState)
    entries = state.weeks.get(week, [])
    number = int(args[0]) if len(args) == 1 and args[0].isdecimal() else 0
    if not 1 <= number <= len(entries):
        return answer(ctx, event, "remove_usage", count=len(entries), verb=event.name)
    removed = entries.pop(number - 1)
    body = say(ctx, "removed", number=number, **_listed(ctx, removed))
    change = Change(
        state=state, week=week, nomination=removed, kind="nomination_removed", owner=who
    )
    return _dropped(ctx, event, change, body)


def _dropped(
    ctx: RitualContext, event: CommandInvoked, change: Change, body: RichText
) -> RitualResult:
    """A withdrawn or removed nomination: its reply, record, and a signal so that counts of
    `given` can be taken back."""
    removed = change.nomination
    signal = Signal(name="withdrawn", member_id=removed.by, other_member_id=removed.member)
    record = Record(kind=change.kind, member_id=removed.by, data=_data(change))
    return RitualResult(
        outbound=(reply(ctx, event, f"shoutout:{change.kind}", body),),
        state=change.state,
        records=(record,),
        effects=(signal,),
    )


def listing(
    ctx: RitualContext, event: CommandInvoked, who: Member, args: tuple[str, ...]
) -> RitualResult:
    """This week's nominations, numbered (the numbers `remove` takes)."""
    entries = state_of(ctx, ShoutoutState).weeks.get(current_week(ctx), [])
    if not entries:
        return answer(ctx, event, "list_empty", verb=event.name)
    items = [{"number": i, **_listed(ctx, n)} for i, n in enumerate(entries, start=1)]
    return answer(ctx, event, "list", items=items)


SUBVERBS: dict[str, Verb] = {
    "list": listing,
    "liste": listing,
    "withdraw": withdraw,
    "retirer": withdraw,
    "remove": remove,
    "supprimer": remove,
}


def _listed(ctx: RitualContext, nomination: Nomination) -> dict[str, str]:
    """How a nomination reads in `list`: whom (name or link), by whom, why."""
    whom = member_of(ctx, nomination.member)
    by = member_of(ctx, nomination.by)
    return {
        "whom": whom.display_name if whom else str(nomination.url or "?"),
        "by": by.display_name if by else "?",
        "why": nomination.why,
    }


def _data(change: Change) -> dict[str, Any]:
    """A record of the change: the nomination, its week, and the owner who removed it."""
    owner = {"removed_by": change.owner.id} if change.owner else {}
    return {**change.nomination.model_dump(mode="json"), "week": change.week, **owner}


def _where(ctx: RitualContext, event: CommandInvoked) -> dict[str, Any]:
    return {"platform": event.platform, "space": event.space, "at": ctx.now}
