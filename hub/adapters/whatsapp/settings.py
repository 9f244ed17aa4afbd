"""`platforms.whatsapp`: one Twilio account and WhatsApp sender, and the opt-in lists it runs.

WhatsApp has no groups: each space is a list of members who joined by messaging the hub's
number with the join keyword, and a post to it is one message per member.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, SecretStr, model_validator

from hub.core.config.models import Duration, PlatformSection, SecretRule, Section
from hub.core.model.templates import TemplateSource

PLATFORM = "whatsapp"
"""The platform's name: its section under `platforms:`, and the `platform` of its events."""

AuthToken = Annotated[
    SecretStr,
    AfterValidator(
        SecretRule(
            min_length=16,
            rule="is shorter than 16 characters; Twilio's auth tokens have 32",
            hint="copy the Auth Token from the Twilio Console's account dashboard",
        )
    ),
]
WhatsAppAddress = Annotated[str, Field(pattern=r"^whatsapp:\+[1-9][0-9]{6,14}$")]


class TemplateSettings(Section):
    """An approved WhatsApp template (Twilio Content API) standing in for a ritual's messages
    outside the 24-hour window. `variables` fill its numbered placeholders; each is a Jinja
    template that sees `text` (the message, on one line), `member.name` and `buttons`."""

    content_sid: Annotated[str, Field(pattern=r"^HX[0-9a-fA-F]{32}$")]
    variables: dict[Annotated[str, Field(pattern=r"^[1-9][0-9]?$")], TemplateSource] = Field(
        default_factory=dict
    )


class WhatsAppTexts(Section):
    """Overrides of the few texts the adapter answers keywords with (Jinja templates that see
    `community.name`, `keyword` and `lists`); defaults exist in French and English."""

    joined: TemplateSource | None = None
    stopped: TemplateSource | None = None
    started: TemplateSource | None = None
    help: TemplateSource | None = None
    choose: TemplateSource | None = None


class WhatsAppSettings(PlatformSection):
    """Spaces map a space name to a list name members may give after the join keyword
    (`JOIN members`); a bare `JOIN` joins the first list."""

    spaces_are_opt_in_lists: ClassVar[bool] = True
    needs_public_url: ClassVar[bool] = True

    account_sid: Annotated[str, Field(pattern=r"^AC[0-9a-fA-F]{32}$")] = Field(
        json_schema_extra={"env": "TWILIO_ACCOUNT_SID"}
    )
    auth_token: AuthToken = Field(json_schema_extra={"env": "TWILIO_AUTH_TOKEN"})
    sender: WhatsAppAddress | None = Field(default=None, alias="from")
    messaging_service_sid: Annotated[str, Field(pattern=r"^MG[0-9a-fA-F]{32}$")] | None = None
    join_keyword: Annotated[str, Field(pattern=r"^[A-Za-z]{2,20}$")] = "JOIN"
    messages_per_second: Annotated[int, Field(ge=1, le=400)] = 80
    templates: dict[str, TemplateSettings] = Field(default_factory=dict)
    outside_window: Literal["hold", "skip"] = "hold"
    hold_for: Duration = timedelta(days=3)
    status_callbacks: bool = True
    texts: WhatsAppTexts = WhatsAppTexts()

    @model_validator(mode="after")
    def _one_sender(self) -> WhatsAppSettings:
        if (self.sender is None) == (self.messaging_service_sid is None):
            raise ValueError(
                "give exactly one of `from` (the WhatsApp sender, whatsapp:+E164) "
                "or `messaging_service_sid` (MG…)"
            )
        return self
