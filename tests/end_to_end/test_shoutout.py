"""Coup de pouce across platforms: a Telegram member boosts a Discord member; the roundup
reaches Telegram, Discord and the webchat, and the boosted member is told privately."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.end_to_end.conftest import Community, running
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import FakeTelegram

RITUALS = """
  shoutout: {schedule: "0 17 * * FRI"}
  points: {}
"""


@pytest.fixture
def community(
    fakes: tuple[FakeTelegram, str, FakeDiscord, str], tmp_path: Path, redis_url: str
) -> Iterator[Community]:
    yield from running(fakes, tmp_path, redis_url, RITUALS)


def test_a_telegram_member_boosts_a_discord_member_and_the_roundup_reaches_every_app(
    community: Community,
) -> None:
    community.on_discord("5000", "profile set skills design")  # Ana, known to the hub
    community.wait(lambda: community.discord_texts(), "Ana's profile")
    community.on_telegram(777, "Zoé", "/shoutout @user5000 Elle a refait mon site en un week-end")
    community.wait(
        lambda: any("Ton coup de pouce" in t for t in community.telegram_texts()), "the thanks"
    )
    community.on_telegram(777, "Zoé", "/shoutout https://notion.so Mon outil préféré")
    community.wait(
        lambda: sum("Ton coup de pouce" in t for t in community.telegram_texts()) == 2,
        "both nominations noted before the roundup",
    )
    community.fire("shoutout")
    community.wait(
        lambda: (
            len(community.webchat_texts()) == 1
            and any("refait mon site" in t for t in community.telegram_texts())
            and any("refait mon site" in t for t in community.discord_texts())
        ),
        "the roundup everywhere",
    )
    (roundup,) = community.webchat_texts()
    assert "user5000" in roundup and "Zoé" in roundup and "notion.so" in roundup
    assert any("<@5000>" in t for t in community.discord_texts())  # a real mention on Discord
    community.wait(
        lambda: any("Zoé" in t and "coup de pouce" in t for t in community.discord_dms("5000")),
        "Ana told privately",
    )
