"""`POST /webhooks/slack/events`: Events API, slash commands and interactivity on one endpoint.

Every request is authenticated before its body is parsed: the timestamp header must be a short
ASCII integer within five minutes and the `v0=` HMAC signature (64 hex digits) must match a
configured signing secret (slack-sdk's verifier, called only once the headers are known to be
well formed, since it raises on malformed ones). Otherwise 401 and nothing is enqueued. Slack's retries of an event carry
the same `event_id`, which the pipeline processes once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs

import structlog
from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hub.adapters.slack import translate
from hub.adapters.slack.sender import web_client
from hub.adapters.slack.settings import SlackSettings
from hub.adapters.wire import Listening, json_object, tolerant
from hub.core.model.events import Event
from hub.core.ports import Enqueue, ListenerSetup

log = structlog.get_logger(__name__)
WINDOW_SECONDS = 300


@dataclass(frozen=True, slots=True)
class SlackCommunity:
    """One community's Slack app: who signs its requests and which channels are its spaces."""

    community_id: str
    verifier: SignatureVerifier
    spaces: dict[str, str]  # channel id → space name
    client: AsyncWebClient | None = None  # to look up display names


class SlackListener(Listening):
    """Verifies, translates and enqueues what Slack sends."""

    def __init__(self, communities: list[SlackCommunity], enqueue: Enqueue) -> None:
        self.communities = communities
        self.enqueue = enqueue
        self.names: dict[tuple[str, str], str] = {}

    @classmethod
    def from_setup(cls, setup: ListenerSetup) -> SlackListener:
        """One listener for the Slack apps of every community."""
        communities = []
        for runtime, section in setup.sections_of(SlackSettings):
            verifier = SignatureVerifier(section.signing_secret.get_secret_value())
            spaces = {channel: name for name, channel in section.spaces.items()}
            client = web_client(section)
            communities.append(SlackCommunity(runtime.community.id, verifier, spaces, client))
        return cls(communities, setup.enqueue)

    def routes(self) -> list[BaseRoute]:
        """The one Slack endpoint."""
        return [Route("/webhooks/slack/events", self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        """Authenticate, then dispatch on the body's kind; always answer fast."""
        body = await request.body()
        community = self._authenticate(request.headers, body)
        if community is None:
            return JSONResponse({"error": "invalid signature"}, status_code=401)
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            return await self._json(body, community)
        return await self._form(body, community)

    def _authenticate(self, headers: Mapping[str, str], body: bytes) -> SlackCommunity | None:
        timestamp, signature = (
            headers.get("x-slack-request-timestamp", ""),
            headers.get("x-slack-signature", ""),
        )
        if not _well_formed(timestamp, signature):
            return None
        if abs(time.time() - int(timestamp)) > WINDOW_SECONDS:
            return None
        try:
            text = body.decode("utf-8")  # the SDK's verifier would raise on anything else
        except UnicodeDecodeError:
            return None
        for community in self.communities:
            if community.verifier.is_valid(body=text, timestamp=timestamp, signature=signature):
                return community
        return None

    async def _json(self, body: bytes, community: SlackCommunity) -> Response:
        envelope = json_object(body)
        if envelope is None:
            return JSONResponse({"error": "expected a JSON object"}, status_code=400)
        if envelope.get("type") == "url_verification":
            return JSONResponse({"challenge": str(envelope.get("challenge", ""))})
        if envelope.get("type") != "event_callback":
            return Response(status_code=200)
        bot = _bot_user_id(envelope)
        events = translate.event_to_core(envelope, community.community_id, community.spaces, bot)
        await self._enqueue(community, events)
        return Response(status_code=200)

    async def _form(self, body: bytes, community: SlackCommunity) -> Response:
        try:
            form = {
                k: v[0] for k, v in parse_qs(body.decode("utf-8"), strict_parsing=False).items()
            }
        except UnicodeDecodeError:
            return JSONResponse({"error": "expected a form"}, status_code=400)
        if "payload" in form:
            payload = json_object(form["payload"].encode())
            if payload is None:
                return JSONResponse({"error": "payload must be a JSON object"}, status_code=400)
            events = translate.interaction_to_core(
                payload, community.community_id, community.spaces
            )
            await self._enqueue(community, events)
            return Response(status_code=200)
        if "command" in form:
            events = translate.slash_command_to_core(form, community.community_id, community.spaces)
            await self._enqueue(community, events)
            return Response(status_code=200)
        return JSONResponse({"error": "unknown request"}, status_code=400)

    async def _enqueue(self, community: SlackCommunity, events: list[Event]) -> None:
        for event in events:
            name = await self._display_name(community, event.actor.user_id)
            if name and name != event.actor.display_name:
                event = replace(event, actor=replace(event.actor, display_name=name))
            self.enqueue(event)

    async def _display_name(self, community: SlackCommunity, user_id: str) -> str | None:
        """The member's Slack display name, looked up once (best effort, within Slack's 3 s)."""
        key = (community.community_id, user_id)
        if key not in self.names and community.client is not None:
            try:
                info = await asyncio.wait_for(
                    community.client.users_info(user=user_id), timeout=1.5
                )
                profile = info["user"].get("profile", {})
                self.names[key] = (
                    profile.get("display_name") or info["user"].get("real_name") or user_id
                )
            except (
                SlackApiError,
                ClientError,
                TimeoutError,
                KeyError,
                TypeError,
                ValueError,
            ) as error:
                log.info("slack.name_lookup_failed", user=user_id, error=type(error).__name__)
                return None
        return self.names.get(key)


def _well_formed(timestamp: str, signature: str) -> bool:
    """Headers the verifier can take: a short ASCII integer, and `v0=` + 64 hex digits.

    (`str.isdigit` alone admits other scripts' digits, and `int` refuses 5,000 of them.)"""
    digits = timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12
    hexadecimal = signature.removeprefix("v0=")
    return (
        digits
        and signature.startswith("v0=")
        and len(hexadecimal) == 64
        and all(c in "0123456789abcdef" for c in hexadecimal)
    )


@tolerant
def _bot_user_id(envelope: dict[str, Any]) -> str | None:
    for authorization in envelope.get("authorizations") or []:
        if (
            isinstance(authorization, dict)
            and authorization.get("is_bot")
            and isinstance(authorization.get("user_id"), str)
        ):
            return str(authorization["user_id"])
    return None
