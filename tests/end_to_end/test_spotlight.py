"""Spotlight across platforms: a Discord member is asked privately, answers with a pitch, and is
featured on Telegram, Discord and the webchat; the next member is a Telegram one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.end_to_end.conftest import Community, running
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import Chat, FakeTelegram

RITUALS = """
  spotlight: {schedule: "0 10 * * WED", ask_days_before: 2}
"""


@pytest.fixture
def community(
    fakes: tuple[FakeTelegram, str, FakeDiscord, str], tmp_path: Path, redis_url: str
) -> Iterator[Community]:
    yield from running(fakes, tmp_path, redis_url, RITUALS)


def test_asked_on_discord_featured_everywhere_then_a_telegram_member_is_next(
    community: Community,
) -> None:
    community.on_discord("5000", "help")
    community.wait(lambda: community.discord_texts(), "Ana known")
    community.telegram.chats["777"] = Chat(type="private")
    community.on_telegram(777, "Zoé", "/start", private=True)
    community.fire("spotlight:ask")
    community.wait(lambda: community.discord_dms("5000"), "Ana asked privately")
    assert "spotlight pitch" in community.discord_dms("5000")[0]
    community.on_discord(
        "5000", "spotlight pitch Je crée des identités visuelles pour les artisans"
    )
    community.on_discord("5000", "spotlight link https://ana.design")
    community.wait(lambda: len(community.discord_texts()) >= 3, "the pitch and link noted")
    community.fire("spotlight")
    community.wait(
        lambda: (
            any("identités visuelles" in t for t in community.webchat_texts())
            and any("identités visuelles" in t for t in community.telegram_texts())
            and any(
                "identités visuelles" in t and "<@5000>" in t for t in community.discord_texts()
            )
        ),
        "Ana featured on every app",
    )
    assert any("https://ana.design" in t for t in community.webchat_texts())
    community.fire("spotlight:ask")
    community.wait(
        lambda: any("spotlight pitch" in t for t in community.telegram_texts("777")),
        "Zoé asked next, on Telegram",
    )
