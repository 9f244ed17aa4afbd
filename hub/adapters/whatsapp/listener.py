"""`POST /webhooks/whatsapp` (incoming messages) and `POST /webhooks/whatsapp/status`.

Twilio signs every request: `X-Twilio-Signature` is HMAC-SHA1, keyed with the auth token, over
the URL it called (`server.public_url` + path) and the sorted form fields. It is checked with
twilio's RequestValidator before anything is read from the form; otherwise 403 and nothing is
enqueued. Keywords are answered at once in the TwiML response (JOIN, STOP, START, HELP); all
the rest goes to the pipeline, whose replies are sent through the REST API by the workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from hub.adapters.whatsapp import render, translate
from hub.adapters.whatsapp.sender import STATUS_PATH
from hub.adapters.whatsapp.settings import WhatsAppSettings
from hub.adapters.wire import Listening
from hub.core.model import catalogue
from hub.core.model.events import MemberJoined
from hub.core.model.templates import community_variables, render_template
from hub.core.ports import Enqueue, ListenerSetup

log = structlog.get_logger(__name__)
MESSAGE_PATH = "/webhooks/whatsapp"

DEFAULT_TEXTS: dict[str, dict[str, str]] = catalogue.texts("whatsapp")


class _Form(dict[str, str]):
    """Form fields, first value each; `getlist` gives RequestValidator every value."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__({name: values[0] for name, values in fields.items()})
        self.fields = fields

    def getlist(self, name: str) -> list[str]:
        return self.fields[name]


@dataclass(frozen=True, slots=True)
class WhatsAppCommunity:
    """One community's WhatsApp sender: who signs its requests, its lists and its texts."""

    lists: translate.ListsOf
    validator: RequestValidator
    sender: str | None
    messaging_service_sid: str | None
    name: str
    texts: Mapping[str, str]
    locale: str

    def owns(self, form: Mapping[str, str]) -> bool:
        """Whether the message was sent to this community's number or messaging service."""
        return form.get("To") == self.sender or (
            self.messaging_service_sid is not None
            and form.get("MessagingServiceSid") == self.messaging_service_sid
        )


class WhatsAppListener(Listening):
    """Verifies, translates and enqueues what Twilio posts."""

    def __init__(
        self, communities: list[WhatsAppCommunity], public_url: str | None, enqueue: Enqueue
    ) -> None:
        self.communities = communities
        self.public_url = public_url.rstrip("/") if public_url else None
        self.enqueue = enqueue
        if self.public_url is None:
            log.warning("whatsapp.no_public_url", hint="set server.public_url; Twilio signs it")

    @classmethod
    def from_setup(cls, setup: ListenerSetup) -> WhatsAppListener:
        """One listener for the WhatsApp senders of every community."""
        communities = []
        for runtime, section in setup.sections_of(WhatsAppSettings):
            locale = runtime.community.locale
            defaults = DEFAULT_TEXTS.get(locale, DEFAULT_TEXTS["en"])
            overrides = section.texts.model_dump(exclude_none=True)
            communities.append(
                WhatsAppCommunity(
                    lists=translate.ListsOf(
                        runtime.community.id, dict(section.spaces), section.join_keyword
                    ),
                    validator=RequestValidator(section.auth_token.get_secret_value()),
                    sender=section.sender,
                    messaging_service_sid=section.messaging_service_sid,
                    name=runtime.community.name,
                    texts={**defaults, **overrides},
                    locale=locale,
                )
            )
        return cls(communities, setup.resources.public_url, setup.enqueue)

    def routes(self) -> list[BaseRoute]:
        """Incoming messages and status callbacks."""
        return [
            Route(MESSAGE_PATH, self.receive_message, methods=["POST"]),
            Route(STATUS_PATH, self.receive_status, methods=["POST"]),
        ]

    async def receive_message(self, request: Request) -> Response:
        """A member wrote to the hub's number: keywords answered at once, the rest enqueued."""
        verified = await self._verified(request)
        if isinstance(verified, Response):
            return verified
        form, community = verified
        inbound = translate.message_to_core(form, community.lists)
        for event in inbound.events:
            self.enqueue(event)
        answer = self._answer(community, inbound) if inbound.answer else None
        return _twiml(answer)

    async def receive_status(self, request: Request) -> Response:
        """Twilio reports what became of a message: the delivery is updated by a worker."""
        verified = await self._verified(request)
        if isinstance(verified, Response):
            return verified
        form, community = verified
        report = translate.status_to_core(form, community.lists.community_id)
        if report is not None:
            self.enqueue(report)
        return Response(status_code=204)

    async def _verified(self, request: Request) -> tuple[_Form, WhatsAppCommunity] | Response:
        """The form and its community once Twilio's signature checks out; else the 4xx."""
        signature = request.headers.get("x-twilio-signature")
        body = await request.body()
        if not signature or self.public_url is None:
            return Response("missing or unverifiable signature", status_code=403)
        try:
            form = _Form(parse_qs(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            return Response("expected a form", status_code=403)
        url = self.public_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        signed = [c for c in self.communities if c.validator.validate(url, form, signature)]
        if not signed:
            return Response("invalid signature", status_code=403)
        return form, next((c for c in signed if c.owns(form)), signed[0])

    def _answer(self, community: WhatsAppCommunity, inbound: translate.Inbound) -> str:
        joined = next((e for e in inbound.events if isinstance(e, MemberJoined)), None)
        lists = community.lists.lists
        variables: dict[str, Any] = {
            "community": community_variables(
                community.lists.community_id, community.name, community.locale
            ),
            "keyword": community.lists.join_keyword.upper(),
            "lists": ", ".join(lists.values()),
            "list": lists.get(joined.space or "", "") if joined else "",
        }
        assert inbound.answer is not None
        body = render_template(community.texts[inbound.answer], variables)
        return "\n\n".join(render.split_body(body))


def _twiml(answer: str | None) -> Response:
    """TwiML: an immediate reply when there is one, else an empty response."""
    response = MessagingResponse()
    if answer:
        response.message(answer)
    return Response(str(response), media_type="text/xml")
