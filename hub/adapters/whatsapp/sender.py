"""Sends WhatsApp messages with twilio's async client: free-form inside the 24-hour window,
an approved template (ContentSid) outside it, a status callback on each."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import structlog
from aiohttp import ClientError, ClientSession
from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from hub.adapters.transport import (
    PerLoop,
    Timeouts,
    aiohttp_never_written,
    close_session,
    new_session,
)
from hub.adapters.whatsapp import render
from hub.adapters.whatsapp.settings import PLATFORM, WhatsAppSettings
from hub.core.model.deliveries import Destination, SentRef
from hub.core.model.messages import Outbound
from hub.core.model.richtext import plain_text
from hub.core.model.templates import TemplateError, render_plain, render_template
from hub.core.ports import (
    AdapterResources,
    Capabilities,
    ConfigurationSendError,
    PermanentSendError,
    RecipientUnreachableError,
    SendError,
    TransientSendError,
    UncertainSendError,
)

log = structlog.get_logger(__name__)
STATUS_PATH = "/webhooks/whatsapp/status"
HINTS = {
    20003: "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
    21211: "not a valid WhatsApp number",
    21610: "the member unsubscribed from this sender",
    21617: "the message is longer than 1,600 characters",
    21655: "the template's ContentSid is not one of this account's",
    21656: "the template's variables do not match it",
    63003: "the number is not (or no longer) on WhatsApp",
    63007: "check `from`: Twilio has no WhatsApp sender with that address",
    63016: "outside the 24-hour window: configure an approved template for this ritual",
    63024: "the recipient cannot receive WhatsApp messages",
    63027: "the template does not exist for this language",
    63028: "the template's variables do not match it",
}
TRANSIENT_CODES = {20429, 63018}
UNREACHABLE = {21610, 63003, 63014, 63015, 63024}
"""The member's own account: unsubscribed (STOP), not on WhatsApp, blocked the business,
not joined the sandbox, cannot receive messages."""
CONFIGURATION = {
    20003,
    20404,
    21212,
    21603,
    21606,
    21608,
    21655,
    21656,
    21701,
    63007,
    63016,
    63027,
    63028,
    63029,
}
"""Credentials, the sender or messaging service, templates (missing, unknown, wrong variables,
not approved for the language), a trial account's limits: the owner must fix them."""


class WhatsAppSender:
    """The WhatsApp adapter's Renderer, TemplateRenderer and Sender."""

    platform = PLATFORM

    def __init__(self, settings: WhatsAppSettings, resources: AdapterResources) -> None:
        self.settings = settings
        self.account = str(settings.sender or settings.messaging_service_sid)
        self.timeouts = Timeouts()
        self._sessions: PerLoop[ClientSession] = PerLoop(
            lambda: new_session(self.timeouts), close_session
        )
        self.client = self._make_client()
        hold = settings.hold_for if settings.outside_window == "hold" else None
        self.capabilities: Capabilities = render.capabilities(settings.messages_per_second, hold)
        source = settings.texts.choose or render.DEFAULT_CHOOSE.get(
            resources.locale, render.DEFAULT_CHOOSE["en"]
        )
        self.choose = "\n\n".join(render.split_body(render_template(source, {})))
        self.status_callback = (
            resources.public_url.rstrip("/") + STATUS_PATH
            if resources.public_url and settings.status_callbacks
            else None
        )

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        """Free-form bodies, each within 1,600 characters; numbered choices on the last."""
        return render.payloads(outbound, self.choose)

    def render_template(
        self, ritual: str, outbound: Outbound, destination: Destination, recipient_name: str
    ) -> dict[str, Any] | None:
        """The approved template the owner configured for `ritual`, filled in; None if none."""
        template = self.settings.templates.get(ritual)
        if template is None:
            return None
        variables = render.template_variables(outbound, recipient_name)
        try:
            values = {
                slot: render.one_line(render_plain(source, variables))
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
        try:
            message = await self.client.messages.create_async(**arguments)
        except TwilioRestException as error:
            raise _translate_error(error) from None
        except (ClientError, TimeoutError) as error:
            raise _transport_failure(error) from None
        return SentRef(message_id=str(message.sid))

    async def close(self) -> None:
        """Close this event loop's HTTP session (shutdown, tests)."""
        await self._sessions.close()

    def _arguments(self, destination: Destination, payload: Mapping[str, Any]) -> dict[str, Any]:
        arguments: dict[str, Any] = {"to": destination.address}
        if self.settings.sender is not None:
            arguments["from_"] = self.settings.sender
        else:
            arguments["messaging_service_sid"] = self.settings.messaging_service_sid
        if "content_sid" in payload:
            arguments["content_sid"] = payload["content_sid"]
            arguments["content_variables"] = render.content_variables(payload["content_variables"])
        else:
            arguments["body"] = payload["body"]
        if self.status_callback:
            arguments["status_callback"] = self.status_callback
        return arguments

    def _make_client(self) -> Client:
        """One twilio Client for every send, on `PooledHttpClient` (one session per loop)."""
        settings = self.settings
        environment = {"TWILIO_EDGE": "", "TWILIO_REGION": ""} if settings.api_base_url else None
        client = Client(
            settings.account_sid,
            settings.auth_token.get_secret_value(),
            http_client=PooledHttpClient(self._sessions),
            environment=environment,
        )
        if settings.api_base_url:
            client.api.base_url = settings.api_base_url.rstrip("/")
        return client


class PooledHttpClient(AsyncHttpClient):  # type: ignore[misc]  # twilio is untyped
    """twilio's async transport on one kept aiohttp session per event loop, with timeouts.

    twilio's own AsyncTwilioHttpClient either opens a session per request or shares one made
    at construction (outside any loop); it keeps the last response on itself, so concurrent
    sends would mix their answers; and the timeout given to it never reaches aiohttp (twilio
    passes `timeout=None` per request, which aiohttp reads as "no timeout").
    """

    def __init__(self, sessions: PerLoop[ClientSession]) -> None:
        super().__init__(log, True, None)
        self.sessions = sessions

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """One request; its answer is returned, never kept."""
        session = await self.sessions.get()
        headers = dict(headers or {})
        if auth is not None:
            pair = f"{auth[0]}:{auth[1]}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        async with session.request(
            method.upper(),
            url,
            params=params,  # type: ignore[arg-type]
            data=data,
            headers=headers,
            allow_redirects=allow_redirects,
        ) as answer:
            return Response(answer.status, await answer.text(), answer.headers)


def _transport_failure(error: BaseException) -> SendError:
    """Twilio's Messages API has no idempotency key: a create that may have reached it (a
    timeout or a drop after the request was written) is not sent again."""
    if aiohttp_never_written(error):
        return TransientSendError(f"twilio: {type(error).__name__}")
    return UncertainSendError(f"twilio: {type(error).__name__} after the request was sent")


def _translate_error(error: TwilioRestException) -> SendError:
    code = int(error.code) if error.code is not None else None
    if error.status == 429 or code in TRANSIENT_CODES:
        return TransientSendError(f"twilio {code}: too many requests", retry_after=1.0)
    if error.status >= 500:
        return TransientSendError(f"twilio: server error {error.status}")
    hint = HINTS.get(code) if code is not None else None
    reason = f"twilio {code}: " + (hint or _short(error.msg))
    if code in UNREACHABLE:
        return RecipientUnreachableError(reason)
    if code in CONFIGURATION or error.status == 401:
        return ConfigurationSendError(reason)
    return PermanentSendError(reason)


def _short(message: object) -> str:
    return str(message).removeprefix("Unable to create record: ")[:300]
