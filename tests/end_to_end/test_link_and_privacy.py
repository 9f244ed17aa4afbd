"""Linking a Telegram account and a Discord account into one member, then forgetting it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.core.storage.orm import IdentityRow, MemberRow
from tests.end_to_end.conftest import Community, running
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import Chat, FakeTelegram

RITUALS = "  welcome: {spaces: [main]}"


@pytest.fixture
def community(
    fakes: tuple[FakeTelegram, str, FakeDiscord, str], tmp_path: Path, redis_url: str
) -> Iterator[Community]:
    yield from running(fakes, tmp_path, redis_url, RITUALS)


def accounts(community: Community) -> dict[int, set[str]]:
    with community.hub.database.transaction() as session:
        found: dict[int, set[str]] = {}
        for identity in session.scalars(select(IdentityRow)):
            found.setdefault(identity.member_id, set()).add(identity.platform)
        return found


def test_a_telegram_member_links_their_discord_account_and_then_is_forgotten(
    community: Community,
) -> None:
    community.telegram.chats["777"] = Chat(type="private")
    community.on_telegram(777, "Zoé", "/start", private=True)
    community.on_discord("5000", "help")
    community.wait(lambda: community.discord_texts(), "the help on Discord")
    community.on_telegram(777, "Zoé", "/link", private=True)
    community.wait(lambda: community.telegram_texts("777"), "the code")
    code = re.search(r"<code>([A-Z0-9]{8})</code>", community.telegram_texts("777")[-1])
    assert code is not None
    assert code.group(1) not in "".join(community.telegram_texts())  # never in the group

    community.on_discord("5000", f"link {code.group(1)}")
    community.wait(lambda: any("ne font plus" in t for t in community.discord_texts()), "linked")
    assert list(accounts(community).values()) == [{"telegram", "discord"}]

    community.on_discord("5000", "forget-me")
    community.wait(
        lambda: any("forget-me confirm" in t for t in community.discord_dms("5000")), "ask"
    )
    community.on_discord("5000", "forget-me confirm")
    community.wait(lambda: any("tout effacé" in t for t in community.discord_dms("5000")), "bye")
    with community.hub.database.transaction() as session:
        assert session.scalars(select(MemberRow)).all() == []
