"""Sends WhatsApp messages with twilio's async client: free-form inside the 24-hour window,
an approved template (ContentSid) outside it, a status callback on each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from aiohttp import ClientError
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from hub.adapters.whatsapp import translate
from hub.adapters.whatsapp.settings import WhatsAppSettings
from hub.core.delivery import Destination, SentRef
from hub.core.outbound import Outbound
from hub.core.ports import AdapterResources, Capabilities, PermanentSendError, TransientSendError
from hub.core.richtext import plain_text
from hub.core.templates import TemplateError, render_plain, render_template

log = structlog.get_logger(__name__)
STATUS_PATH = "/webhooks/whatsapp/status"
HINTS = {
    20003: "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
    21211: "not a valid WhatsApp number",
    21610: "the member unsubscribed from this sender",
    21617: "the message is longer than 1,600 characters",
    63007: "check `from`: Twilio has no WhatsApp sender with that address",
    63016: "outside the 24-hour window: configure an approved template for this ritual",
}
TRANSIENT_CODES = {20429, 63018}


class WhatsAppSender:
    """The WhatsApp adapter's Renderer, TemplateRenderer and Sender."""

    platform = translate.PLATFORM

    def __init__(self, settings: WhatsAppSettings, resources: AdapterResources) -> None:
        self.settings = settings
        self.account = str(settings.sender or settings.messaging_service_sid)
        hold = settings.hold_for if settings.outside_window == "hold" else None
        self.capabilities: Capabilities = translate.capabilities(settings.messages_per_second, hold)
        source = settings.texts.choose or translate.DEFAULT_CHOOSE.get(
            resources.locale, translate.DEFAULT_CHOOSE["en"]
        )
        self.choose = "\n\n".join(translate.split_body(render_template(source, {})))
        self.status_callback = (
            resources.public_url.rstrip("/") + STATUS_PATH
            if resources.public_url and settings.status_callbacks
            else None
        )

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        """Free-form bodies, each within 1,600 characters; numbered choices on the last."""
        return translate.render(outbound, self.choose)

    def render_template(
        self, ritual: str, outbound: Outbound, destination: Destination, recipient_name: str
    ) -> dict[str, Any] | None:
        """The approved template the owner configured for `ritual`, filled in; None if none."""
        template = self.settings.templates.get(ritual)
        if template is None:
            return None
        variables = translate.template_variables(outbound, recipient_name)
        try:
            values = {
                slot: translate.one_line(render_plain(source, variables))
                for slot, source in sorted(template.variables.items())
            }
        except TemplateError as error:
            log.warning("whatsapp.template_failed", ritual=ritual, error=str(error))
            return None
        return {
            "content_sid": template.content_sid,
            "content_variables": values,
            "template": ritual,
            "preview": plain_text(outbound.body)[:200],
        }

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        """One message to one member; Twilio answers `queued` and reports the rest later."""
        arguments = self._arguments(destination, payload)
        client = self._client()
        try:
            message = await client.messages.create_async(**arguments)
        except TwilioRestException as error:
            raise _translate_error(error) from None
        except (ClientError, TimeoutError) as error:
            raise TransientSendError(f"twilio: {type(error).__name__}") from None
        return SentRef(message_id=str(message.sid))

    def _arguments(self, destination: Destination, payload: Mapping[str, Any]) -> dict[str, Any]:
        arguments: dict[str, Any] = {"to": destination.address}
        if self.settings.sender is not None:
            arguments["from_"] = self.settings.sender
        else:
            arguments["messaging_service_sid"] = self.settings.messaging_service_sid
        if "content_sid" in payload:
            arguments["content_sid"] = payload["content_sid"]
            arguments["content_variables"] = translate.content_variables(
                payload["content_variables"]
            )
        else:
            arguments["body"] = payload["body"]
        if self.status_callback:
            arguments["status_callback"] = self.status_callback
        return arguments

    def _client(self) -> Client:
        """A client per send: twilio's AsyncTwilioHttpClient keeps the last response on itself
        (`_test_only_last_response`), so one shared by concurrent sends mixes their answers;
        and its aiohttp session lives and dies in the worker's event loop."""
        settings = self.settings
        environment = {"TWILIO_EDGE": "", "TWILIO_REGION": ""} if settings.api_base_url else None
        client = Client(
            settings.account_sid,
            settings.auth_token.get_secret_value(),
            http_client=AsyncTwilioHttpClient(pool_connections=False, timeout=15),
            environment=environment,
        )
        if settings.api_base_url:
            client.api.base_url = settings.api_base_url.rstrip("/")
        return client


def _translate_error(error: TwilioRestException) -> TransientSendError | PermanentSendError:
    code = int(error.code) if error.code is not None else None
    if error.status == 429 or code in TRANSIENT_CODES:
        return TransientSendError(f"twilio {code}: too many requests", retry_after=1.0)
    if error.status >= 500:
        return TransientSendError(f"twilio: server error {error.status}")
    hint = HINTS.get(code) if code is not None else None
    return PermanentSendError(f"twilio {code}: " + (hint or _short(error.msg)))


def _short(message: object) -> str:
    return str(message).removeprefix("Unable to create record: ")[:300]
