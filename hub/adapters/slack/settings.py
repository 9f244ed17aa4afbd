"""`platforms.slack`: one Slack app (bot token + signing secret) and the channels it serves."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr

from hub.core.config.models import PlatformSection, Secret, SecretRule

PLATFORM = "slack"
"""The platform's name: its section under `platforms:`, and the `platform` of its events."""

SigningSecret = Annotated[
    SecretStr,
    AfterValidator(
        SecretRule(
            min_length=16,
            rule="is shorter than 16 characters; Slack's signing secrets have 32",
            hint="copy it from the app's Basic Information page, App Credentials",
        )
    ),
]


class SlackSettings(PlatformSection):
    """Spaces map a space name to a channel id (C…); answers to a hub message go in its thread."""

    bot_token: Secret = Field(json_schema_extra={"env": "SLACK_BOT_TOKEN"})
    signing_secret: SigningSecret = Field(json_schema_extra={"env": "SLACK_SIGNING_SECRET"})
    thread_replies: bool = True
