"""Cron in the community's timezone, right across Europe/Paris daylight-saving changes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.core.model.schedule import next_occurrence, occurrences, validate_cron

PARIS = ZoneInfo("Europe/Paris")


def local(instants: list[datetime], zone: ZoneInfo = PARIS) -> list[str]:
    return [i.astimezone(zone).isoformat() for i in instants]


def between(
    cron: str, start: datetime, end: datetime, zone: str = "Europe/Paris"
) -> list[datetime]:
    return list(occurrences(cron, zone, start, end))


def test_monday_nine_stays_nine_local_across_both_changes() -> None:
    spring = between(
        "0 9 * * MON", datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    )
    autumn = between(
        "0 9 * * MON", datetime(2026, 10, 15, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    )
    assert [i.hour for i in spring] == [8, 7]  # 09:00 CET, then 09:00 CEST
    assert [i.hour for i in autumn] == [7, 8]
    assert all(i.astimezone(PARIS).hour == 9 for i in spring + autumn)


def test_a_time_inside_the_spring_gap_fires_when_the_gap_ends() -> None:
    fired = between(
        "30 2 * * *", datetime(2026, 3, 28, 12, tzinfo=UTC), datetime(2026, 3, 30, 12, tzinfo=UTC)
    )
    assert local(fired) == ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]


def test_a_repeated_time_in_the_autumn_fires_once_the_first_time() -> None:
    fired = between(
        "30 2 * * *", datetime(2026, 10, 24, 12, tzinfo=UTC), datetime(2026, 10, 26, 12, tzinfo=UTC)
    )
    assert local(fired) == ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
    assert fired[0] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_sunday_two_o_clock_survives_both_changes() -> None:
    spring = between(
        "0 2 * * SUN", datetime(2026, 3, 28, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC)
    )
    autumn = between(
        "0 2 * * SUN", datetime(2026, 10, 24, tzinfo=UTC), datetime(2026, 10, 26, tzinfo=UTC)
    )
    assert local(spring) == ["2026-03-29T03:00:00+02:00"]
    assert local(autumn) == ["2026-10-25T02:00:00+02:00"]


@pytest.mark.parametrize("month", [3, 10])
def test_a_daily_ritual_fires_exactly_once_a_day_in_a_month_with_a_change(month: int) -> None:
    start = datetime(2026, month, 1, tzinfo=PARIS).astimezone(UTC) - timedelta(seconds=1)
    end = datetime(2026, month + 1, 1, tzinfo=PARIS).astimezone(UTC)
    fired = between("0 9 * * *", start, end)
    assert len(fired) == 31
    assert {i.astimezone(PARIS).strftime("%H:%M") for i in fired} == {"09:00"}
    assert len({i.astimezone(PARIS).date() for i in fired}) == 31


def test_next_occurrence_is_strictly_after() -> None:
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert next_occurrence("0 9 * * MON", "Europe/Paris", monday - timedelta(seconds=1)) == monday
    assert next_occurrence("0 9 * * MON", "Europe/Paris", monday) == monday + timedelta(days=7)


@pytest.mark.parametrize(
    "cron", ["0 9 * *", "0 9 * * * *", "61 * * * *", "0 25 * * *", "0 9 * * FUNDAY", ""]
)
def test_invalid_crons_are_rejected_with_the_expression_in_the_message(cron: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"'{cron}'")):
        validate_cron(cron)


@pytest.mark.parametrize("cron", ["0 9 * * MON", "*/15 * * * *", "0 9 1 * *", "30 18 * * 1-5"])
def test_valid_crons_are_accepted(cron: str) -> None:
    validate_cron(cron)


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


@settings(max_examples=200, deadline=None)
@given(
    minute=st.integers(0, 59),
    hour=st.integers(0, 23),
    weekday=st.sampled_from(["*", "MON", "SUN"]),
    offset=st.integers(0, 365 * 24 * 60),
    zone_name=st.sampled_from(
        ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Kolkata"]
    ),
)
def test_occurrences_are_ordered_unique_in_range_and_on_the_wall_clock(
    minute: int, hour: int, weekday: str, offset: int, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    after = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=offset)
    until = after + timedelta(days=20)
    fired = list(occurrences(f"{minute} {hour} * * {weekday}", zone_name, after, until))
    assert fired == sorted(set(fired))
    assert all(after < i <= until for i in fired)
    assert len(fired) >= (2 if weekday != "*" else 19)
    for instant in fired:
        wall = instant.astimezone(zone)
        if (wall.hour, wall.minute) != (hour, minute):
            intended = wall.replace(hour=hour, minute=minute, tzinfo=None)
            assert not _exists(intended, zone), (
                f"{instant} is neither {hour}:{minute:02d} nor after a gap"
            )
            just_before = (instant - timedelta(seconds=1)).astimezone(zone)
            assert just_before.utcoffset() != wall.utcoffset(), (
                "a gap time fires right when the gap ends"
            )
