"""`hub telegram set-webhook` registers the webhook with its secret and the updates the hub reads."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.adapters.telegram.conftest import TELEGRAM_YAML
from tests.builders import HUB, write_config
from tests.fakes.telegram import TOKEN, FakeTelegram


def run(config: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HUB, "telegram", "set-webhook", "--config", str(config)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_registers_the_public_url_with_the_secret_and_allowed_updates(
    telegram: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    fake, url = telegram
    result = run(
        write_config(tmp_path, TELEGRAM_YAML.format(url=url)),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_WEBHOOK_SECRET="hook_secret-1234567890",
    )
    assert result.returncode == 0, result.stderr
    assert fake.webhook == "https://hub.example.org/webhooks/telegram"
    assert fake.webhook_args["secret_token"] == "hook_secret-1234567890"
    assert set(fake.webhook_args["allowed_updates"]) >= {
        "message",
        "chat_member",
        "callback_query",
        "poll_answer",
        "message_reaction",
    }


def test_a_rejected_token_is_one_clear_line_without_the_token(
    telegram: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    _, url = telegram
    result = run(
        write_config(tmp_path, TELEGRAM_YAML.format(url=url)),
        TELEGRAM_BOT_TOKEN="999:NOT-THE-TOKEN",
        TELEGRAM_WEBHOOK_SECRET="hook_secret-1234567890",
    )
    assert result.returncode == 1
    assert "NOT-THE-TOKEN" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
