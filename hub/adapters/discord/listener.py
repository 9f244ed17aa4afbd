"""Discord in: the gateway connections, and `POST /webhooks/discord/interactions`.

The endpoint checks the Ed25519 signature (PyNaCl) over timestamp + raw body before anything is
parsed, and rejects timestamps more than five minutes off: 401 and nothing enqueued otherwise,
which is also what Discord's deliberate bad-signature probes must see. PING gets PONG; a
`/hub` command is acknowledged privately; a button click is acknowledged without a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

import structlog
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hub.adapters.discord.gateway import ACKNOWLEDGED, GatewayRefused, HubGateway
from hub.adapters.discord.settings import DiscordSettings
from hub.adapters.discord.translate import Inbound, read_interaction
from hub.adapters.wire import Listening, json_object
from hub.core.ports import Enqueue, ListenerSetup

log = structlog.get_logger(__name__)
MAX_SKEW = 300  # seconds
PONG, REPLY, DEFERRED_UPDATE = 1, 4, 6
EPHEMERAL = 64
RESTART_DELAY = 5.0  # seconds before reconnecting a crashed gateway client


@dataclass
class DiscordCommunity:
    """One community's bot: how to read its events and, for the endpoint, its public key."""

    inbound: Inbound
    token: str
    verify_key: VerifyKey | None


class DiscordListener(Listening):
    """Holds each bot's gateway connection and serves the interactions endpoint."""

    def __init__(
        self, communities: list[DiscordCommunity], enqueue: Enqueue, ready_timeout: float = 2.0
    ) -> None:
        self.communities = communities
        self.enqueue = enqueue
        self.ready_timeout = ready_timeout
        self.gateways: dict[str, HubGateway] = {}

    @property
    def holds_connections(self) -> bool:
        """Whether `hub gateway` has a connection to hold for this platform."""
        return bool(self.communities)

    @classmethod
    def from_setup(cls, setup: ListenerSetup) -> DiscordListener:
        """One entry per community with a Discord bot."""
        communities = []
        for runtime, section in setup.sections_of(DiscordSettings):
            spaces = {channel: name for name, channel in section.spaces.items()}
            public = section.public_key
            key = VerifyKey(bytes.fromhex(public.get_secret_value())) if public else None
            communities.append(
                DiscordCommunity(
                    Inbound(runtime.community.id, spaces), section.token.get_secret_value(), key
                )
            )
        return cls(communities, setup.enqueue)

    async def background(self, stop: asyncio.Event) -> None:
        """Every bot's gateway connection, until `stop`; fails if Discord refuses the bot."""
        await asyncio.gather(*(self._hold(community, stop) for community in self.communities))

    async def _hold(self, community: DiscordCommunity, stop: asyncio.Event) -> None:
        """One bot's connection; after a crash (a payload discord.py cannot parse) reconnect."""
        while not stop.is_set():
            gateway = HubGateway(community.inbound, self.enqueue, ready_timeout=self.ready_timeout)
            self.gateways[community.inbound.community_id] = gateway
            try:
                await gateway.run_until(community.token, stop)
            except GatewayRefused:
                raise
            except Exception as error:
                log.error("discord.gateway_crashed", error=str(error), kind=type(error).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), RESTART_DELAY)

    def routes(self) -> list[BaseRoute]:
        """The interactions endpoint."""
        return [Route("/webhooks/discord/interactions", self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        """Verify the signature, then answer PING or enqueue the command or click."""
        body = await request.body()
        community = self._verified(request, body)
        if community is None:
            return JSONResponse({"error": "invalid request signature"}, status_code=401)
        payload = json_object(body)
        if payload is None:
            return JSONResponse({"error": "expected a JSON object"}, status_code=400)
        if payload.get("type") == PONG:
            return JSONResponse({"type": PONG})
        interaction = read_interaction(payload)
        if interaction is None:
            return JSONResponse(
                {"error": "not an interaction the hub understands"}, status_code=400
            )
        for event in community.inbound.interaction(interaction):
            self.enqueue(event)
        if interaction.kind == 3:
            return JSONResponse({"type": DEFERRED_UPDATE})
        return JSONResponse({"type": REPLY, "data": {"content": ACKNOWLEDGED, "flags": EPHEMERAL}})

    def _verified(self, request: Request, body: bytes) -> DiscordCommunity | None:
        """The community whose public key signed this request, if any and if fresh."""
        signature = request.headers.get("x-signature-ed25519", "")
        timestamp = request.headers.get("x-signature-timestamp", "")
        if not _fresh(timestamp):
            return None
        try:
            raw_signature = bytes.fromhex(signature)
        except ValueError:
            return None
        for community in self.communities:
            if community.verify_key is None:
                continue
            try:
                community.verify_key.verify(timestamp.encode() + body, raw_signature)
            except (BadSignatureError, ValueError):
                continue
            return community
        return None


def _fresh(timestamp: str) -> bool:
    """A short ASCII integer within `MAX_SKEW` of now (`int` also reads other scripts' digits)."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    return abs(time.time() - int(timestamp)) <= MAX_SKEW
