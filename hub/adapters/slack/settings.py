"""`platforms.slack`: one Slack app (bot token + signing secret) and the channels it serves."""

from __future__ import annotations

from pydantic import Field, SecretStr

from hub.core.config.models import PlatformSection


class SlackSettings(PlatformSection):
    """Spaces map a space name to a channel id (C…); answers to a hub message go in its thread."""

    bot_token: SecretStr = Field(json_schema_extra={"env": "SLACK_BOT_TOKEN"})
    signing_secret: SecretStr = Field(json_schema_extra={"env": "SLACK_SIGNING_SECRET"})
    thread_replies: bool = True
