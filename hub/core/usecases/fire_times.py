"""Every schedule's next fire time, soonest first: a scheduler tick costs what is due.

The scheduler builds this once, from the last occurrence the database holds for each schedule
(one query for all of them), then each tick pops only the schedules whose time has come and
pushes each one back with its following fire time. An idle tick touches neither croniter nor
the database, however many communities the hub serves.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from croniter import CroniterBadDateError

from hub.core.model.community import CommunityRuntime
from hub.core.model.schedule import occurrences

log = structlog.get_logger(__name__)

# How far ahead a fire time is looked for: a cron that never fires within it is left out.
HORIZON = timedelta(days=366 * 5)


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    """One cron of one ritual of one community; `name` is the ritual or `ritual:slot`."""

    community_id: str
    name: str
    cron: str
    timezone: str
    grace: timedelta

    @property
    def key(self) -> tuple[str, str]:
        """How the occurrences table names this schedule's rows."""
        return self.community_id, self.name

    def next_after(self, moment: datetime) -> datetime | None:
        """The first fire time strictly after `moment`, if any within the horizon."""
        return self.due_and_next(moment, moment)[1]

    def due_and_next(
        self, after: datetime, now: datetime
    ) -> tuple[list[datetime], datetime | None]:
        """The fire times in (after, now], and the first one after `now`: one cron walk."""
        due: list[datetime] = []
        try:
            for at in occurrences(self.cron, self.timezone, after, now + HORIZON):
                if at > now:
                    return due, at
                due.append(at)
        except CroniterBadDateError:  # a date that never comes, such as February 30
            pass
        return due, None


def schedules_of(communities: Mapping[str, CommunityRuntime]) -> Iterator[Schedule]:
    """Every schedule of every enabled ritual of every community."""
    for runtime in communities.values():
        grace = runtime.config.scheduler.grace_period
        for enabled in runtime.rituals:
            for name, cron in enabled.schedules.items():
                yield Schedule(
                    community_id=runtime.community.id,
                    name=name,
                    cron=cron,
                    timezone=runtime.community.timezone,
                    grace=grace,
                )


@dataclass(order=True, slots=True)
class _Entry:
    at: datetime
    order: int
    schedule: Schedule = field(compare=False)


class FireTimes:
    """A heap of (next fire time, schedule)."""

    def __init__(self) -> None:
        self._heap: list[_Entry] = []
        self._order = itertools.count()  # ties keep insertion order; schedules never compare

    @classmethod
    def starting(
        cls,
        schedules: Iterable[Schedule],
        last: Mapping[tuple[str, str], datetime],
        now: datetime,
        lookback: timedelta,
    ) -> FireTimes:
        """Each schedule's first fire time to consider, given its last occurrence on record.

        A schedule with a row resumes after it (or after `now - lookback` if older), so missed
        occurrences are fired or skipped by the grace period. A schedule with none starts with
        at most the latest occurrence inside the grace period: never a backlog.
        """
        times = cls()
        for schedule in schedules:
            previous = last.get(schedule.key)
            if previous is None:
                due, following = schedule.due_and_next(now - schedule.grace, now)
                first = due[-1] if due else following
            else:
                first = schedule.next_after(max(previous, now - lookback))
            if first is None:
                log.warning(
                    "schedule.never_fires",
                    community=schedule.community_id,
                    ritual=schedule.name,
                    cron=schedule.cron,
                )
            times.push(schedule, first)
        return times

    def push(self, schedule: Schedule, at: datetime | None) -> None:
        """Keep `schedule` to fire at `at`; None (it never fires again) drops it."""
        if at is not None:
            heapq.heappush(self._heap, _Entry(at, next(self._order), schedule))

    def pop_due(self, now: datetime) -> tuple[Schedule, datetime] | None:
        """The soonest schedule whose fire time is at or before `now`, taken off the heap."""
        if not self._heap or self._heap[0].at > now:
            return None
        entry = heapq.heappop(self._heap)
        return entry.schedule, entry.at

    def __len__(self) -> int:
        return len(self._heap)
