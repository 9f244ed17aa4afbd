"""A working copy of the points state for one decision, and the ledger entries it writes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hub.core.model.domain import Member
from hub.core.model.messages import Outbound
from hub.core.model.ritual import Record, RitualContext, RitualResult
from hub.rituals.base import day_key, local, member_vars, month_key, posts, state_of, text, week_key
from hub.rituals.points.config import PointsConfig
from hub.rituals.points.state import PointsState, Today, Totals


class Answer(Exception):
    """A command ends with a short reply (bad input, refusal): the state stays unchanged."""

    def __init__(self, key: str, **variables: Any) -> None:
        super().__init__(key)
        self.key, self.variables = key, variables


def config_of(ctx: RitualContext) -> PointsConfig:
    assert isinstance(ctx.config, PointsConfig)
    return ctx.config


class Book:
    """Awards update the totals, today's counts and the badges, and collect their ledger
    records and badge announcements."""

    def __init__(self, ctx: RitualContext) -> None:
        self.ctx, self.config = ctx, config_of(ctx)
        self.day, self.week, self.month = day_key(ctx), week_key(ctx), month_key(ctx)
        self.state = state_of(ctx, PointsState)
        self.state.totals = pruned(ctx, self.state.totals)
        if self.state.today.day != self.day:
            self.state.today = Today(day=self.day)
        self.records: list[Record] = []
        self.outbound: list[Outbound] = []

    def award(self, member_id: int, rule: str, reason: str) -> int:
        """Give `rule`'s points unless the member reached its cap today; the points given."""
        settings = self.config.rules.rule(rule)
        counts = self.state.today.counts.setdefault(member_id, {})
        if settings.points == 0 or counts.get(rule, 0) >= settings.daily_cap:
            return 0
        counts[rule] = counts.get(rule, 0) + 1
        self.add(member_id, rule, settings.points, reason)
        return settings.points

    def add(self, member_id: int, rule: str, points: int, reason: str) -> None:
        """Write one ledger entry and add it to every running total."""
        totals = self.state.totals
        for bucket in (
            totals.all,
            totals.weeks.setdefault(self.week, {}),
            totals.months.setdefault(self.month, {}),
        ):
            bucket[member_id] = bucket.get(member_id, 0) + points
        data = {"rule": rule, "points": points, "reason": reason}
        data |= {"day": self.day, "week": self.week, "month": self.month}
        self.records.append(Record(kind="points", member_id=member_id, data=data))
        self._badges(member_id)

    def total(self, member_id: int) -> int:
        """The member's all-time total so far."""
        return self.state.totals.all.get(member_id, 0)

    def _badges(self, member_id: int) -> None:
        """Grant (and announce, once) every badge whose threshold the member now reaches."""
        earned = self.state.badges.get(member_id, [])
        new = [
            b
            for b in self.config.badges
            if b.threshold <= self.total(member_id) and b.name not in earned
        ]
        if not new:
            return
        self.state.badges[member_id] = [*earned, *(b.name for b in new)]
        member = self.ctx.directory.member(member_id)
        for badge in new:
            data = {"badge": badge.name, "threshold": badge.threshold}
            self.records.append(Record(kind="badge", member_id=member_id, data=data))
            if member is not None:
                self.outbound += announcement(self.ctx, member, badge.name)

    def result(self, *outbound: Outbound) -> RitualResult:
        """What the ritual decided: the replies given, then the badge announcements."""
        counts = {m: c for m, c in self.state.today.counts.items() if c}
        self.state.today = Today(day=self.day, counts=counts)
        return RitualResult(
            outbound=(*outbound, *self.outbound),
            state=self.state,
            records=tuple(self.records),
        )


def pruned(ctx: RitualContext, totals: Totals) -> Totals:
    """Only the current and previous week and month are kept, so the state stays small."""
    today = local(ctx)
    weeks = {week_key(ctx), week_key(ctx, today - timedelta(days=7))}
    months = {month_key(ctx), month_key(ctx, today.replace(day=1) - timedelta(days=1))}
    return Totals(
        all=totals.all,
        weeks={w: b for w, b in totals.weeks.items() if w in weeks},
        months={m: b for m, b in totals.months.items() if m in months},
    )


def announcement(ctx: RitualContext, member: Member, badge: str) -> list[Outbound]:
    """The badge's public announcement, in every space the ritual posts to."""
    body = text(
        ctx, config_of(ctx).texts.get("badge"), "badge", receiver=member_vars(member), badge=badge
    )
    return list(posts(ctx, f"points:badge:{member.id}:{badge}", body))
