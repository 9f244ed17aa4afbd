"""`hub run` pointed at the fake Discord: welcome in the channel and by DM, /hub help, icebreaker."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from tests.adapters.discord.conftest import DISCORD_YAML, MAIN, NEWS, ZOE
from tests.builders import HUB, hub_run, wait_for, write_config
from tests.fakes.discord import GUILD_ID, TOKEN, FakeDiscord, hub_command_payload, member_payload

ENV = {
    "DISCORD_BOT_TOKEN": TOKEN,
    "DISCORD_PUBLIC_KEY": SigningKey.generate().verify_key.encode().hex(),
}


@pytest.fixture
def discord_hub(
    discord_api: tuple[FakeDiscord, str], tmp_path: Path
) -> Iterator[tuple[FakeDiscord, Path]]:
    fake, url = discord_api
    config = write_config(tmp_path, DISCORD_YAML.format(url=url))
    with hub_run(config, tmp_path, ENV):
        log = tmp_path / "hub.log"
        wait_for(lambda: "discord.ready" in log.read_text(errors="replace"), what="the gateway")
        yield fake, config


def test_a_member_who_joins_the_guild_is_welcomed_in_the_channel_and_by_dm(
    discord_hub: tuple[FakeDiscord, Path],
) -> None:
    fake, _ = discord_hub
    fake.dispatch("GUILD_MEMBER_ADD", {**member_payload(ZOE, "zoe"), "guild_id": GUILD_ID})
    wait_for(lambda: fake.in_channel(MAIN) and fake.dm_to(ZOE), what="the welcome")
    (public,) = fake.in_channel(MAIN)
    assert public["content"].startswith(f"Bienvenue <@{ZOE}>")
    assert public["allowed_mentions"]["users"] == [int(ZOE)]
    assert fake.dm_to(ZOE)[0]["content"].startswith("Bonjour zoe")
    assert fake.in_channel(NEWS) == []


def test_hub_help_answers_and_the_command_is_acknowledged(
    discord_hub: tuple[FakeDiscord, Path],
) -> None:
    fake, _ = discord_hub
    fake.dispatch("INTERACTION_CREATE", hub_command_payload("700", MAIN, ZOE, "help"))
    wait_for(lambda: fake.in_channel(MAIN), what="the help")
    assert "help" in fake.in_channel(MAIN)[0]["content"]
    assert fake.callbacks[0]["type"] == 4


def test_the_icebreaker_reaches_every_discord_space(
    discord_hub: tuple[FakeDiscord, Path], tmp_path: Path
) -> None:
    fake, config = discord_hub
    subprocess.run(
        [HUB, "ritual", "run", "icebreaker", "--config", str(config)],
        cwd=tmp_path,
        env={**ENV, "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=60,
    )
    wait_for(lambda: fake.in_channel(MAIN) and fake.in_channel(NEWS), what="the icebreaker")
    assert all("Question de la semaine" in fake.in_channel(c)[0]["content"] for c in (MAIN, NEWS))
