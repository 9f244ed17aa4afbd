"""Spotlight ("à la une"): one member at a time is put forward to the whole community, in a fair
rotation over every member of every platform.

Two schedules: `schedule` publishes the member who was asked — their pitch and link if they
answered, else their profile card, else a warm invitation to say hello; the `ask` slot, by
default `ask_days_before` (2) days earlier at the same time, privately asks the member who comes
next to answer with `/hub spotlight pitch …` / `link …`, or to pass (`skip`: the next member is
asked at once). The ask slot is derived when `schedule` names one day of the week; otherwise
(or with `ask_days_before: 0`) set `ask_schedule`, or the ask goes out right after publishing.

Fairness: `queue` is the exact upcoming order and `done` who had their turn this round (featured,
or passed), always at its end. Newcomers join the end of the current round (after everyone who
was already waiting, before those already featured), so nobody comes twice before every eligible
member came once. Members who cannot be reached or paused themselves (`off`) are skipped and keep
their place; those who left or were forgotten leave the queue. Owners see and reorder it.

State: {"queue": [id], "done": [id], "off": [id], "left": [id],
"asked": {"member": id, "pitch": str | None, "link": str | None} | None}.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import Field, field_validator

from hub.core.config.models import Cron, ScheduledRitualSection
from hub.core.model import catalogue
from hub.core.model.domain import Member
from hub.core.model.events import (
    CommandInvoked,
    Event,
    MemberForgotten,
    MemberJoined,
    MemberLeft,
    MembersMerged,
)
from hub.core.model.messages import Outbound
from hub.core.model.richtext import RichText
from hub.core.model.ritual import NOTHING, Occurrence, Record, RitualContext, RitualResult, Signal
from hub.core.model.schedule import next_occurrence
from hub.core.model.templates import TemplateSource
from hub.rituals.base import (
    check_texts,
    is_command,
    local,
    member_vars,
    posts,
    privately,
    refusal,
    reply,
    text,
    web_address,
)

VERB = "spotlight"
PITCH_LIMIT = 500
LINK_LIMIT = 300
PROFILE_FIELDS = ("bio", "skills", "link", "city")
_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

_USAGE_FR = (
    "Les commandes du spotlight :\n\n"
    "- `/hub spotlight pitch …` — ta présentation en quelques mots (500 caractères max)\n"
    "- `/hub spotlight link https://…` — ton lien (site, portfolio, LinkedIn…)\n"
    "- `/hub spotlight passer` — passer ton tour cette fois\n"
    "- `/hub spotlight off` / `on` — sortir de la rotation, ou y revenir\n"
    "{% if admin %}- `/hub spotlight queue` — voir la file (en privé)\n"
    "- `/hub spotlight move @membre N` — mettre un membre en position N (en privé){% endif %}"
)
_USAGE_EN = (
    "The spotlight commands:\n\n"
    "- `/hub spotlight pitch …` — a few words about you (500 characters at most)\n"
    "- `/hub spotlight link https://…` — your link (site, portfolio, LinkedIn…)\n"
    "- `/hub spotlight skip` — pass your turn this time\n"
    "- `/hub spotlight off` / `on` — leave the rotation, or come back\n"
    "{% if admin %}- `/hub spotlight queue` — see the queue (privately)\n"
    "- `/hub spotlight move @member N` — put a member at position N (privately){% endif %}"
)


class SpotlightConfig(ScheduledRitualSection):
    """`rituals.spotlight`: when a spotlight is published (`schedule`, e.g. "0 10 * * WED"), how
    long before the next member is asked (`ask_days_before`, or an explicit `ask_schedule`),
    where (`spaces`, all when empty) and the texts."""

    ask_days_before: Annotated[int, Field(ge=0, le=6)] = 2
    ask_schedule: Cron | None = None
    texts: dict[str, TemplateSource] = Field(default_factory=dict)

    def schedules(self) -> dict[str, str]:
        """Publication, and the ask slot when there is one."""
        ask = self.ask_schedule or shifted_weekday(self.schedule, -self.ask_days_before)
        return {"": self.schedule, "ask": ask} if ask else {"": self.schedule}

    @field_validator("texts")
    @classmethod
    def _known(cls, texts: dict[str, str]) -> dict[str, str]:
        check_texts(texts, Spotlight.default_texts)
        return texts


class Spotlight:
    """Puts one member forward per occurrence, everyone in turn."""

    name: ClassVar[str] = "spotlight"
    config_model: ClassVar[type[ScheduledRitualSection]] = SpotlightConfig
    always_on: ClassVar[bool] = False
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("spotlight")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("spotlight")
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("spotlight")

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Ask the member who comes next (the ask slot), or publish the member whose turn it
        is (then ask the next at once when there is no ask slot)."""
        rotation = _Rotation.load(ctx.state)
        present = rotation.sync(ctx.directory.members())
        if occurrence.slot == "ask":
            if rotation.asked is not None:
                return NOTHING
            asked, asked_records = _ask_next(ctx, rotation, present, ctx.now)
            return RitualResult(
                outbound=tuple(asked), state=rotation.dump(), records=tuple(asked_records)
            )
        featured = rotation.on_stage(present)
        outbound: list[Outbound] = []
        records: list[Record] = []
        effects: list[Signal] = []
        if featured is not None:
            source, body = _post_body(ctx, featured, rotation.answer_of(featured.id))
            outbound += posts(ctx, f"{VERB}:post", body)
            records.append(Record(kind="featured", data={"source": source}, member_id=featured.id))
            effects.append(Signal(name="featured", member_id=featured.id))
            rotation.take_turn(featured.id)
        rotation.asked = None
        after = max(ctx.now, occurrence.scheduled_at)
        has_ask_slot = "ask" in _config(ctx).schedules()
        asked, asked_records = (
            ([], []) if has_ask_slot else _ask_next(ctx, rotation, present, after)
        )
        return RitualResult(
            outbound=(*outbound, *asked),
            state=rotation.dump(),
            records=(*records, *asked_records),
            effects=tuple(effects),
        )

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Answer `/hub spotlight …`; follow members who join, leave, merge or are forgotten."""
        if isinstance(event, MembersMerged):
            return _merged(ctx, event.kept, event.merged)
        if isinstance(event, MemberForgotten):
            return _gone(ctx, event.member_id, left=False)
        if ctx.member is None:
            return NOTHING
        if isinstance(event, MemberLeft):
            return _gone(ctx, ctx.member.id, left=True)
        if isinstance(event, MemberJoined):
            return _back(ctx, ctx.member.id)
        if isinstance(event, CommandInvoked) and is_command(event, VERB):
            return _command(ctx, event)
        return NOTHING


@dataclass(slots=True, kw_only=True)
class _Rotation:
    """The queue and its round, loaded from the state, changed, then dumped back."""

    queue: list[int]
    done: set[int]
    off: set[int]
    left: set[int]
    asked: dict[str, Any] | None

    @classmethod
    def load(cls, state: Mapping[str, Any]) -> _Rotation:
        asked = state.get("asked")
        return cls(
            queue=[int(i) for i in state.get("queue", [])],
            done={int(i) for i in state.get("done", [])},
            off={int(i) for i in state.get("off", [])},
            left={int(i) for i in state.get("left", [])},
            asked=dict(asked) if asked else None,
        )

    def dump(self) -> dict[str, Any]:
        return {
            "queue": list(self.queue),
            "done": [i for i in self.queue if i in self.done],
            "off": sorted(self.off),
            "left": sorted(self.left),
            "asked": self.asked,
        }

    @property
    def asked_id(self) -> int | None:
        return None if self.asked is None else int(self.asked["member"])

    def answer_of(self, member_id: int) -> Mapping[str, Any] | None:
        """What the member answered to our ask, if they were the one asked."""
        return self.asked if self.asked_id == member_id else None

    def sync(self, members: Sequence[Member]) -> dict[int, Member]:
        """Follow the directory: drop who is gone, add newcomers at the end of this round.
        Returns the members still in the rotation, by id."""
        everyone = {m.id for m in members}
        self.off &= everyone
        self.left &= everyone
        present = {m.id: m for m in members if m.id not in self.left}
        self.queue = [i for i in self.queue if i in present]
        self.done &= set(self.queue)
        if self.asked_id is not None and self.asked_id not in present:
            self.asked = None
        queued = set(self.queue)
        newcomers = [m.id for m in members if m.id in present and m.id not in queued]
        self._insert(self._waiting_count(), newcomers)
        return present

    def _waiting_count(self) -> int:
        return len(self.queue) - len(self.done)

    def _insert(self, index: int, ids: list[int]) -> None:
        self.queue[index:index] = ids

    def eligible(self, member_id: int, present: Mapping[int, Member]) -> bool:
        member = present.get(member_id)
        return member is not None and member.reachable and member_id not in self.off

    def on_stage(self, present: Mapping[int, Member]) -> Member | None:
        """Who is published now: the member asked, else (never asked, or no longer eligible)
        the first eligible member still waiting this round."""
        asked = self.asked_id
        if asked is not None and self.eligible(asked, present):
            return present[asked]
        first = self._first_waiting(present, exclude=None)
        return None if first is None else present[first]

    def _first_waiting(self, present: Mapping[int, Member], exclude: int | None) -> int | None:
        return next(
            (
                i
                for i in self.queue
                if i not in self.done and i != exclude and self.eligible(i, present)
            ),
            None,
        )

    def choose(self, present: Mapping[int, Member], exclude: int | None) -> int | None:
        """The next member to ask; a new round starts once every eligible member had a turn."""
        waiting = self._first_waiting(present, exclude)
        if waiting is not None:
            return waiting
        again = next((i for i in self.queue if i != exclude and self.eligible(i, present)), None)
        if again is not None:
            self.done = set()
        return again

    def take_turn(self, member_id: int) -> None:
        """Featured, or passed: to the very end, done for this round."""
        self.queue.remove(member_id)
        self.queue.append(member_id)
        self.done.add(member_id)

    def ask(self, member_id: int) -> None:
        """Asked for the next publication: first in line, until it is published."""
        self.queue.remove(member_id)
        self.queue.insert(0, member_id)
        self.asked = {"member": member_id, "pitch": None, "link": None}

    def upcoming(self) -> list[int]:
        """The queue as owners see and number it: everyone after the member already asked."""
        return [i for i in self.queue if i != self.asked_id]

    def place(self, member_id: int, position: int) -> int:
        """Put a member at `position` (1-based) of `upcoming`; returns where they landed. They
        stay in this round if they land among those still waiting, else in the next one."""
        order = [i for i in self.upcoming() if i != member_id]
        self.done.discard(member_id)
        waiting = sum(1 for i in order if i not in self.done)
        index = min(max(position, 1) - 1, len(order))
        order.insert(index, member_id)
        if index > waiting:
            self.done.add(member_id)
        head = [] if self.asked_id is None else [self.asked_id]
        self.queue = head + order
        return index + 1

    def leave(self, member_id: int) -> None:
        """Out of the queue (the pause wish, if any, is kept for a return)."""
        if member_id in self.queue:
            self.queue.remove(member_id)
        self.done.discard(member_id)
        if self.asked_id == member_id:
            self.asked = None

    def merge(self, kept: int, merged: int) -> None:
        """One person: the earlier of the two places, paused or present if either account was."""
        self._merge_place(kept, merged)
        if merged in self.off:
            self.off.discard(merged)
            self.off.add(kept)
        if merged not in self.left:
            self.left.discard(kept)
        self.left.discard(merged)
        if self.asked is not None and self.asked_id == merged:
            self.asked = {**self.asked, "member": kept}

    def _merge_place(self, kept: int, merged: int) -> None:
        if merged not in self.queue:
            return
        if kept in self.queue and self.queue.index(kept) < self.queue.index(merged):
            self.queue.remove(merged)
            self.done.discard(merged)
            return
        if kept in self.queue:
            self.queue.remove(kept)
            self.done.discard(kept)
        self.queue[self.queue.index(merged)] = kept
        if merged in self.done:
            self.done.discard(merged)
            self.done.add(kept)


# --- publication and asking ------------------------------------------------------------------


def _post_body(
    ctx: RitualContext, member: Member, answer: Mapping[str, Any] | None
) -> tuple[str, RichText]:
    """The spotlight: their own words if they answered, else their card, else a warm hello."""
    featured = member_vars(member)
    if answer is not None and (answer.get("pitch") or answer.get("link")):
        body = _say(
            ctx, "post_pitch", featured=featured, pitch=answer.get("pitch"), link=answer.get("link")
        )
        return "pitch", body
    card = _card(member.profile)
    if card:
        fields = {f: card.get(f) for f in PROFILE_FIELDS}
        return "profile", _say(ctx, "post_profile", featured=featured, **fields)
    return "generic", _say(ctx, "post_generic", featured=featured)


def _card(profile: Mapping[str, str]) -> dict[str, str]:
    """The profile fields worth showing (a link only if it is a web address)."""
    card = {f: profile[f].strip() for f in PROFILE_FIELDS if profile.get(f, "").strip()}
    if "link" in card and web_address(card["link"], LINK_LIMIT) is None:
        del card["link"]
    return card


def _ask_next(
    ctx: RitualContext,
    rotation: _Rotation,
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
    date = _publication_date(ctx, after)
    body = _say(ctx, "ask", name=member.display_name, date=date)
    ask = privately(ctx, chosen, f"{VERB}:ask:{chosen}", body)
    return [ask], [Record(kind="asked", data={"for": date}, member_id=chosen)]


_WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def shifted_weekday(cron: str, days: int) -> str | None:
    """The same cron `days` days later (negative: earlier), when it names one day of the week
    and nothing else about the date; None otherwise, or for no shift."""
    fields = cron.split()
    if days == 0 or len(fields) != 5 or fields[2] != "*" or fields[3] != "*":
        return None
    day = fields[4].upper()
    if day.isdigit() and int(day) <= 7:
        index = int(day) % 7
    elif day in _WEEKDAYS:
        index = _WEEKDAYS.index(day)
    else:
        return None
    return " ".join([*fields[:4], _WEEKDAYS[(index + days) % 7]])


def _publication_date(ctx: RitualContext, after: datetime | None = None) -> str:
    """The day of the next publication, spoken: "mercredi 2 décembre"."""
    when = next_occurrence(_config(ctx).schedule, ctx.community.timezone, after or ctx.now)
    day = local(ctx, when)
    locale = ctx.community.locale if ctx.community.locale in _DAYS else "en"
    return f"{_DAYS[locale][day.weekday()]} {day.day} {_MONTHS[locale][day.month - 1]}"


# --- members' commands ----------------------------------------------------------------------

Handler = Callable[[RitualContext, CommandInvoked, Member, tuple[str, ...]], RitualResult]


def _command(ctx: RitualContext, event: CommandInvoked) -> RitualResult:
    """`/hub spotlight <sub-verb> …`: the sub-verb's handler, or the usage."""
    assert ctx.member is not None
    sub = event.args[0].lower() if event.args else ""
    handler = _HANDLERS.get(sub)
    if handler is None:
        return _answer(ctx, event, "usage", admin=ctx.is_admin)
    return handler(ctx, event, ctx.member, event.args[1:])


def _pitch(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """The asked member's few words, published on the day."""
    asked = ctx.state.get("asked")
    if not asked or asked["member"] != me.id:
        return _answer(ctx, event, "not_asked")
    pitch = " ".join(" ".join(args).split())
    if not pitch:
        return _answer(ctx, event, "pitch_missing")
    if len(pitch) > PITCH_LIMIT:
        return _answer(ctx, event, "pitch_too_long", length=len(pitch), limit=PITCH_LIMIT)
    state = {**ctx.state, "asked": {**asked, "pitch": pitch}}
    return _answer(ctx, event, "pitch_saved", state, pitch=pitch, date=_publication_date(ctx))


def _link(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """The asked member's link (http or https only), published with their pitch."""
    asked = ctx.state.get("asked")
    if not asked or asked["member"] != me.id:
        return _answer(ctx, event, "not_asked")
    link = web_address(args[0], LINK_LIMIT) if len(args) == 1 else None
    if link is None:
        return _answer(ctx, event, "bad_link")
    state = {**ctx.state, "asked": {**asked, "link": link}}
    return _answer(ctx, event, "link_saved", state, link=link, date=_publication_date(ctx))


def _skip(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """The asked member declines: to the end of the queue, and the next member is asked now."""
    rotation = _Rotation.load(ctx.state)
    if rotation.asked_id != me.id:
        return _answer(ctx, event, "not_asked")
    present = rotation.sync(ctx.directory.members())
    if me.id in rotation.queue:
        rotation.take_turn(me.id)
    rotation.asked = None
    asked, records = _ask_next(ctx, rotation, present, ctx.now, exclude=me.id)
    return RitualResult(
        outbound=(reply(ctx, event, f"{VERB}:skipped", _say(ctx, "skipped")), *asked),
        state=rotation.dump(),
        records=(Record(kind="passed", data={}, member_id=me.id), *records),
    )


def _off(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """Out of the rotation, keeping one's place; if they were asked, the next member is."""
    rotation = _Rotation.load(ctx.state)
    rotation.off.add(me.id)
    asked: list[Outbound] = []
    records = [Record(kind="paused", data={}, member_id=me.id)]
    if rotation.asked_id == me.id:
        present = rotation.sync(ctx.directory.members())
        rotation.asked = None
        asked, more = _ask_next(ctx, rotation, present, ctx.now)
        records += more
    return RitualResult(
        outbound=(reply(ctx, event, f"{VERB}:paused", _say(ctx, "paused")), *asked),
        state=rotation.dump(),
        records=tuple(records),
    )


def _on(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """Back in the rotation, at the place kept."""
    rotation = _Rotation.load(ctx.state)
    rotation.off.discard(me.id)
    return RitualResult(
        outbound=(reply(ctx, event, f"{VERB}:resumed", _say(ctx, "resumed")),),
        state=rotation.dump(),
        records=(Record(kind="resumed", data={}, member_id=me.id),),
    )


# --- owners' commands -----------------------------------------------------------------------


def _queue(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """The upcoming order, numbered as `move` understands it (nothing is changed)."""
    refused = refusal(ctx, event, _config(ctx).texts, admin=True, private=True)
    if refused is not None:
        return RitualResult(outbound=(refused,))
    rotation = _Rotation.load(ctx.state)
    present = rotation.sync(ctx.directory.members())
    entries = [_entry(rotation, present[i], n) for n, i in enumerate(rotation.upcoming(), 1)]
    asked = rotation.asked
    if not entries and asked is None:
        return _answer(ctx, event, "queue_empty")
    shown = None
    if asked is not None:
        shown = {
            "name": present[int(asked["member"])].display_name,
            "answered": bool(asked.get("pitch") or asked.get("link")),
        }
    return _answer(ctx, event, "queue", entries=entries, asked=shown)


def _entry(rotation: _Rotation, member: Member, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "name": member.display_name,
        "paused": member.id in rotation.off,
        "unreachable": not member.reachable,
    }


def _move(
    ctx: RitualContext, event: CommandInvoked, me: Member, args: tuple[str, ...]
) -> RitualResult:
    """An owner puts a member at position N of the queue."""
    refused = refusal(ctx, event, _config(ctx).texts, admin=True, private=True)
    if refused is not None:
        return RitualResult(outbound=(refused,))
    if len(args) < 2 or not args[-1].isdigit() or int(args[-1]) < 1:
        return _answer(ctx, event, "move_usage")
    found = _resolve(ctx, event, " ".join(args[:-1]))
    if not isinstance(found, Member):
        return found
    rotation = _Rotation.load(ctx.state)
    present = rotation.sync(ctx.directory.members())
    if found.id not in present:
        return _answer(ctx, event, "unknown_member", token=" ".join(args[:-1]))
    if found.id == rotation.asked_id:
        return _answer(ctx, event, "move_asked", name=found.display_name)
    position = rotation.place(found.id, int(args[-1]))
    total = len(rotation.upcoming())
    result = _answer(
        ctx,
        event,
        "moved",
        rotation.dump(),
        name=found.display_name,
        position=position,
        total=total,
    )
    record = Record(kind="moved", data={"position": position, "by": me.id}, member_id=found.id)
    return RitualResult(outbound=result.outbound, state=result.state, records=(record,))


def _resolve(ctx: RitualContext, event: CommandInvoked, token: str) -> Member | RitualResult:
    """The one member `token` names, or the reply saying why not."""
    found = ctx.directory.find(token, event.platform)
    if len(found) == 1:
        return found[0]
    if not found:
        return _answer(ctx, event, "unknown_member", token=token)
    names = [m.display_name for m in found]
    return _answer(ctx, event, "ambiguous", token=token, names=names)


_HANDLERS: dict[str, Handler] = {
    "pitch": _pitch,
    "link": _link,
    "skip": _skip,
    "passer": _skip,
    "off": _off,
    "on": _on,
    "queue": _queue,
    "move": _move,
}


# --- members following the directory --------------------------------------------------------


def _gone(ctx: RitualContext, member_id: int, *, left: bool) -> RitualResult:
    """A member left (they come back at the end if they rejoin) or was forgotten (purged);
    if they had been asked, the next member is asked at once."""
    rotation = _Rotation.load(ctx.state)
    was_asked = rotation.asked_id == member_id
    rotation.leave(member_id)
    if left:
        rotation.left.add(member_id)
    else:
        rotation.off.discard(member_id)
        rotation.left.discard(member_id)
    if not was_asked:
        return RitualResult(state=rotation.dump())
    present = rotation.sync(ctx.directory.members())
    present.pop(member_id, None)
    asked, records = _ask_next(ctx, rotation, present, ctx.now, exclude=member_id)
    return RitualResult(outbound=tuple(asked), state=rotation.dump(), records=tuple(records))


def _back(ctx: RitualContext, member_id: int) -> RitualResult:
    """A member who had left joined again: they rejoin the rotation as a newcomer."""
    if member_id not in ctx.state.get("left", []):
        return NOTHING
    left = [i for i in ctx.state["left"] if i != member_id]
    return RitualResult(state={**ctx.state, "left": left})


def _merged(ctx: RitualContext, kept: int, merged: int) -> RitualResult:
    """Two accounts are one person: one place in the queue, the earlier one."""
    rotation = _Rotation.load(ctx.state)
    rotation.merge(kept, merged)
    return RitualResult(state=rotation.dump())


# --- small helpers --------------------------------------------------------------------------


def _say(ctx: RitualContext, key: str, **variables: Any) -> RichText:
    return text(ctx, _config(ctx).texts.get(key), key, **variables)


def _answer(
    ctx: RitualContext,
    event: CommandInvoked,
    key: str,
    state: Mapping[str, Any] | None = None,
    **variables: Any,
) -> RitualResult:
    """A reply where the command was typed; `state` None leaves the state unchanged."""
    body = _say(ctx, key, **variables)
    return RitualResult(outbound=(reply(ctx, event, f"{VERB}:{key}", body),), state=state)


def _config(ctx: RitualContext) -> SpotlightConfig:
    assert isinstance(ctx.config, SpotlightConfig)
    return ctx.config
