"""Kudos, points and profiles across platforms: one ledger and one directory for everyone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.core.storage.orm import RitualRecordRow
from hub.rituals.points import totals_from_ledger
from tests.end_to_end.conftest import Community, running
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import FakeTelegram

RITUALS = """
  points:
    rules: {kudos_received: {points: 5, daily_cap: 2}, message: {points: 1, daily_cap: 3}}
    badges: [{name: Premier pas, threshold: 10}]
  profile: {}
"""


@pytest.fixture
def community(
    fakes: tuple[FakeTelegram, str, FakeDiscord, str], tmp_path: Path, redis_url: str
) -> Iterator[Community]:
    yield from running(fakes, tmp_path, redis_url, RITUALS)


def test_kudos_from_discord_to_telegram_count_in_one_ledger_with_caps_and_a_badge(
    community: Community,
) -> None:
    community.on_telegram(777, "Zoé", "/profile set skills design, no-code")
    community.wait(lambda: community.telegram_texts(), "Zoé's profile")
    for n in range(3):
        community.on_discord("5000", f"kudos @Zoé merci pour le coup de main n°{n}")
    community.wait(lambda: len(community.discord_texts()) >= 3, "the thanks")
    for n in range(5):
        community.on_telegram(777, "Zoé", f"message {n}")
    community.wait(lambda: len(awards(community)) == 5, "2 kudos and 3 messages awarded")
    community.on_discord("5001", "leaderboard")
    community.wait(
        lambda: any("Zoé" in t and "13" in t for t in community.discord_texts()),
        "the leaderboard with 2 capped kudos (10) and 3 capped messages (3)",
    )
    community.wait(lambda: any("Premier pas" in t for t in community.telegram_texts()), "the badge")
    assert sum(totals_from_ledger(awards(community)).values()) == 13  # type: ignore[arg-type]


def awards(community: Community) -> list[RitualRecordRow]:
    """The points ledger."""
    with community.hub.database.transaction() as session:
        query = select(RitualRecordRow).where(RitualRecordRow.kind == "points")
        return list(session.scalars(query))


def test_who_finds_members_of_every_app_by_skill(community: Community) -> None:
    community.on_telegram(777, "Zoé", "/profile set skills design, no-code")
    community.on_discord("5000", "profile set skills copywriting, design")
    community.wait(lambda: community.telegram_texts() and community.discord_texts(), "profiles")
    community.on_discord("5001", "who design")
    community.wait(
        lambda: any("Zoé" in t and "user5000" in t for t in community.discord_texts()),
        "both designers found from Discord",
    )
