"""Cron schedules in a community's timezone, right across daylight-saving changes.

Cron fields are read as wall-clock times in the community's timezone, as people mean them:
"0 9 * * MON" is 9:00 in Paris in winter and in summer. Across a change of offset we follow
Vixie cron: a time that does not exist (spring forward) fires at the first instant after the
gap; a time that happens twice (fall back) fires once, at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import CroniterBadCronError, CroniterBadDateError, croniter


def validate_cron(expression: str) -> None:
    """Raise ValueError with a readable message unless `expression` is a 5-field cron."""
    if len(expression.split()) != 5:
        raise ValueError(
            f"'{expression}' is not a 5-field cron (minute hour day month weekday), "
            "e.g. '0 9 * * MON'"
        )
    try:
        croniter(expression)
    except (CroniterBadCronError, CroniterBadDateError, ValueError, KeyError) as error:
        raise ValueError(f"'{expression}' is not a valid cron: {error}") from None


def occurrences(
    expression: str, timezone: str, after: datetime, until: datetime
) -> Iterator[datetime]:
    """UTC instants in (after, until] at which the schedule fires, in order."""
    zone = ZoneInfo(timezone)
    local_start = after.astimezone(zone).replace(tzinfo=None) - timedelta(hours=3)
    walker = croniter(expression, local_start)
    previous: datetime | None = None
    while True:
        wall: datetime = walker.get_next(datetime)
        instant = _wall_to_utc(wall, zone)
        if instant > until:
            return
        if instant > after and instant != previous:
            previous = instant
            yield instant


def next_occurrence(expression: str, timezone: str, after: datetime) -> datetime:
    """The first UTC instant strictly after `after` at which the schedule fires."""
    horizon = after + timedelta(days=366 * 5)
    return next(occurrences(expression, timezone, after, horizon))


def _wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant a local wall-clock time means; gap times move forward past the gap."""
    first = wall.replace(tzinfo=zone, fold=0)
    as_utc = first.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) == wall:
        return as_utc
    # A wall time inside a spring-forward gap: fire at the instant the gap ends.
    before, after = wall.replace(tzinfo=zone, fold=1).astimezone(UTC), as_utc
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(zone).replace(tzinfo=None) < wall:
            before = middle
        else:
            after = middle
    return after.replace(microsecond=0)
