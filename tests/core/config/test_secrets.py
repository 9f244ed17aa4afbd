"""Secrets: read whole from the environment, never empty or weak, never printed back.

An empty secret switches authentication off (an HMAC keyed with "" is one anyone can compute,
a Telegram secret of "" matches a request with no header), so every secret field of every
platform is checked by the loader, and the same rules hold at every process start.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from hub.adapters.telegram.settings import TelegramSettings
from hub.adapters.webchat.settings import WebchatSettings
from hub.bootstrap import config_model, load_config
from hub.core.config.loader import ConfigError, ConfigIssue
from tests.builders import with_secret, write_config

EVERY_PLATFORM = """
community: {id: inside-freelancing, name: Inside Freelancing}
server: {public_url: "https://hub.example.org"}
platforms:
  telegram:
    token: ${TELEGRAM_BOT_TOKEN}
    webhook_secret: ${TELEGRAM_WEBHOOK_SECRET}
  slack:
    bot_token: ${SLACK_BOT_TOKEN}
    signing_secret: ${SLACK_SIGNING_SECRET}
  discord:
    token: ${DISCORD_BOT_TOKEN}
    public_key: ${DISCORD_PUBLIC_KEY}
  whatsapp:
    account_sid: AC00000000000000000000000000000000
    auth_token: ${TWILIO_AUTH_TOKEN}
    from: "whatsapp:+14155238886"
  webchat:
    spaces: {main: salon}
    secret: ${WEBCHAT_SECRET}
"""
# Real-looking values, from the platforms' own documentation where it gives one.
GOOD = {
    "TELEGRAM_BOT_TOKEN": "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
    "TELEGRAM_WEBHOOK_SECRET": secrets.token_urlsafe(32),
    "SLACK_BOT_TOKEN": "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
    "DISCORD_BOT_TOKEN": "MTAwMQ.fake.discord-bot-token",
    "DISCORD_PUBLIC_KEY": "e7a1" * 16,
    "TWILIO_AUTH_TOKEN": "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "WEBCHAT_SECRET": secrets.token_urlsafe(32),
}
LINES = {
    "TELEGRAM_BOT_TOKEN": 6,
    "TELEGRAM_WEBHOOK_SECRET": 7,
    "SLACK_BOT_TOKEN": 9,
    "SLACK_SIGNING_SECRET": 10,
    "DISCORD_BOT_TOKEN": 12,
    "DISCORD_PUBLIC_KEY": 13,
    "TWILIO_AUTH_TOKEN": 16,
    "WEBCHAT_SECRET": 20,
}


def secret_fields(model: Any, path: tuple[str, ...] = ()) -> dict[str, str]:
    """Every SecretStr field the hub knows, by its variable: found in the model, not listed."""
    found: dict[str, str] = {}
    for name, info in model.model_fields.items():
        annotation, child = info.annotation, (*path, name)
        members = [annotation, *getattr(annotation, "__args__", ())]
        if SecretStr in members or any(SecretStr in getattr(m, "__args__", ()) for m in members):
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            found[str(extra["env"])] = ".".join(child)
        for member in members:
            if isinstance(member, type) and issubclass(member, BaseModel):
                found |= secret_fields(member, child)
    return found


def problems(tmp_path: Path, text: str, env: dict[str, str]) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, text), env)
    return caught.value.issues


def test_the_test_covers_every_secret_field_and_real_values_load(tmp_path: Path) -> None:
    assert set(secret_fields(config_model())) == set(GOOD)
    (loaded,) = load_config(write_config(tmp_path, EVERY_PLATFORM), GOOD)
    assert set(loaded.config.platform_sections()) == {
        "telegram",
        "slack",
        "discord",
        "whatsapp",
        "webchat",
    }


@pytest.mark.parametrize("variable", sorted(GOOD))
@pytest.mark.parametrize("empty", ["", "   ", "\n"])
def test_an_empty_secret_is_a_config_error_naming_its_variable(
    tmp_path: Path, variable: str, empty: str
) -> None:
    (issue,) = problems(tmp_path, EVERY_PLATFORM, {**GOOD, variable: empty})
    assert issue.path == secret_fields(config_model())[variable]
    assert issue.message.startswith(f"{variable} is empty")
    assert (issue.file, issue.line) == (str(tmp_path / "community.yaml"), LINES[variable])


@pytest.mark.parametrize(
    ("variable", "weak", "expected"),
    [
        ("TELEGRAM_WEBHOOK_SECRET", "hook_secret-123", "16 to 256 characters of A-Z a-z 0-9 _ -"),
        ("TELEGRAM_WEBHOOK_SECRET", "with spaces in the secret", "16 to 256 characters"),
        ("TELEGRAM_WEBHOOK_SECRET", "a" * 257, "16 to 256 characters"),
        ("TELEGRAM_WEBHOOK_SECRET", "ünïcode-is-refused-by-telegram", "16 to 256 characters"),
        ("TELEGRAM_BOT_TOKEN", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "is not a bot token"),
        ("SLACK_SIGNING_SECRET", "changeme", "shorter than 16 characters"),
        ("DISCORD_PUBLIC_KEY", "e7a1" * 15, "must be 64 hexadecimal characters"),
        ("DISCORD_PUBLIC_KEY", "z" * 64, "must be 64 hexadecimal characters"),
        ("TWILIO_AUTH_TOKEN", "0123abcd", "shorter than 16 characters"),
        ("WEBCHAT_SECRET", "change-me", "shorter than 16 characters"),
        ("SLACK_BOT_TOKEN", " xoxb-17653672481-19874698323 ", "spaces or line breaks around"),
    ],
)
def test_a_weak_secret_is_refused_with_the_rule_and_never_echoed(
    tmp_path: Path, variable: str, weak: str, expected: str
) -> None:
    (issue,) = problems(tmp_path, EVERY_PLATFORM, {**GOOD, variable: weak})
    assert issue.message.startswith(variable) and expected in issue.message
    assert weak.strip() not in str(issue)


@pytest.mark.parametrize("variable", ["TELEGRAM_WEBHOOK_SECRET", "WEBCHAT_SECRET"])
def test_a_secret_the_hub_checks_comes_with_how_to_generate_one(
    tmp_path: Path, variable: str
) -> None:
    for value in ("", "short"):
        (issue,) = problems(tmp_path, EVERY_PLATFORM, {**GOOD, variable: value})
        assert 'python -c "import secrets; print(secrets.token_urlsafe(32))"' in str(issue.hint)


@pytest.mark.parametrize(
    ("written", "env", "expected"),
    [
        ("${WEBCHAT_SECRET:-a-default-secret-0123}", {}, "cannot have a default"),
        ("${WEBCHAT_SECRET:-a-default-secret-0123}", GOOD, "cannot have a default"),
        ("${WEBCHAT_SECRET:-}", {}, "cannot have a default"),
        ('"${WEBCHAT_SECRET}-and-some-literal-text"', GOOD, "exactly one ${VAR}"),
        ('"literal-prefix-${WEBCHAT_SECRET}"', GOOD, "exactly one ${VAR}"),
        ('"${WEBCHAT_SECRET}${TWILIO_AUTH_TOKEN}"', GOOD, "exactly one ${VAR}"),
        ('"$${WEBCHAT_SECRET}"', GOOD, "must come from the environment"),
        ('""', GOOD, "cannot be empty"),
    ],
)
def test_a_secret_is_exactly_one_variable_read_from_the_environment(
    tmp_path: Path, written: str, env: dict[str, str], expected: str
) -> None:
    (issue,) = problems(tmp_path, with_secret(written), env)
    assert issue.path == "platforms.webchat.secret" and expected in issue.message
    assert issue.hint == "write ${WEBCHAT_SECRET} and set WEBCHAT_SECRET in the environment"
    assert "a-default-secret" not in str(issue) and "literal" not in str(issue.message)


def test_an_optional_secret_left_out_is_unset_not_empty(tmp_path: Path) -> None:
    text = EVERY_PLATFORM.replace("    secret: ${WEBCHAT_SECRET}\n", "").replace(
        "    webhook_secret: ${TELEGRAM_WEBHOOK_SECRET}\n", ""
    )
    (loaded,) = load_config(write_config(tmp_path, text), GOOD)
    webchat, telegram = (loaded.config.platform_sections()[p] for p in ("webchat", "telegram"))
    assert isinstance(webchat, WebchatSettings) and webchat.secret is None
    assert isinstance(telegram, TelegramSettings) and telegram.webhook_secret is None


TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('server: {public_url: "${VALUE}"}', "server.public_url"),  # pattern
        ('community: {id: x1, name: X, locale: "${VALUE}"}', "community.locale"),  # literal
        ('server: {port: "${VALUE}"}', "server.port"),  # int parsing
        ('community: {id: x1, name: X, timezone: "${VALUE}"}', "community.timezone"),  # own check
        ("server: ${VALUE}", "server"),  # a whole section of the wrong type
    ],
)
def test_an_error_never_echoes_a_value_from_the_environment(
    tmp_path: Path, line: str, field: str
) -> None:
    text = "community: {id: x1, name: X}\n" if not line.startswith("community") else ""
    (issue,) = problems(tmp_path, text + line + "\n", {"VALUE": TOKEN})
    assert issue.path == field
    assert TOKEN not in str(issue)
    assert "${VALUE}" in issue.message and "not shown" in issue.message


def test_a_value_written_in_the_file_is_still_shown_even_through_a_default(tmp_path: Path) -> None:
    (issue,) = problems(tmp_path, 'community: {id: x1, name: X, locale: "${LOCALE:-de}"}\n', {})
    assert issue.path == "community.locale" and "got 'de'" in issue.message


def test_a_space_name_from_the_environment_is_not_echoed_either(tmp_path: Path) -> None:
    text = with_secret("${WEBCHAT_SECRET}").replace("spaces: [main]}", 'spaces: ["${SPACE}"]}')
    unknown, pattern = problems(tmp_path, text, {**GOOD, "SPACE": TOKEN})
    assert unknown.path == pattern.path == "rituals.welcome.spaces.0"
    assert unknown.message == "unknown space '[value from ${SPACE} not shown]'"
    assert "(value from ${SPACE} not shown)" in pattern.message
    assert TOKEN not in str(unknown) + str(pattern)
