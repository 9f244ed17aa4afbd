"""Ports: the small interfaces the core needs from the outside world (adapters implement them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, Protocol, runtime_checkable

from hub.core.delivery import Destination, SentRef
from hub.core.events import Event
from hub.core.outbound import Outbound


@dataclass(frozen=True, slots=True, kw_only=True)
class RateLimit:
    """At most `count` sends per `seconds`, counted per `scope`.

    Scopes: "bot" (every send of one platform account), "chat" (each destination), "space"
    (each space, not private chats), "private" (each private chat). Sends are spaced evenly
    (`seconds / count` apart); `burst` lets that many go at once where the platform allows it.
    """

    scope: Literal["bot", "chat", "space", "private"]
    count: int
    seconds: float
    burst: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Capabilities:
    """What a platform can do, so rituals and renderers adapt instead of failing."""

    max_text_length: int
    markup: str
    buttons: bool = True
    native_polls: bool = False
    private_messages: bool = True
    threads: bool = False
    reactions: bool = False
    rate_limits: tuple[RateLimit, ...] = ()
    private_needs_opt_in: bool = False
    """The hub may write privately only to members who wrote to it first (Telegram)."""
    private_chat_link: str | None = None
    """A link that opens a private chat with the hub, to offer members who have not yet."""
    edits: bool = True
    """Sent messages can be edited in place (a poll's tally); without, edits are not sent."""
    reply_window: timedelta | None = None
    """Free-form messages may reach a member only this long after they last wrote (WhatsApp's
    24 hours); outside it only an approved template may be sent (see `TemplateRenderer`)."""
    keeps_member_data: bool = False
    """The platform side is the hub's own store (the webchat's Redis: sessions, names, private
    messages): forget-me sends it an erasure (`delivery.ERASE`) for each of the member's accounts."""
    hold_outside_window: timedelta | None = None
    """Outside the reply window with no template: hold the message this long for the member's
    next message; None skips it at once. Either way the reason is recorded."""


class SendError(Exception):
    """A platform refused or failed a send."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientSendError(SendError):
    """Worth retrying later (429, 5xx, timeout); `retry_after` in seconds when the platform says."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class AddressMovedError(SendError):
    """The space now lives at another address (a Telegram group became a supergroup)."""

    def __init__(self, reason: str, new_address: str) -> None:
        super().__init__(reason)
        self.new_address = new_address


class PermanentSendError(SendError):
    """Will never succeed as is (blocked, not found, no permission): recorded, not retried."""


class Renderer(Protocol):
    """Turns a neutral outbound message into the platform's payloads, one per part."""

    capabilities: Capabilities

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        """JSON-safe payloads, in sending order; long texts are split into several."""
        ...


@runtime_checkable
class TemplateRenderer(Protocol):
    """A renderer that can stand in an approved template for a message outside the window."""

    def render_template(
        self, ritual: str, outbound: Outbound, destination: Destination, recipient_name: str
    ) -> dict[str, Any] | None:
        """The template payload for `ritual`'s message, or None if the owner configured none."""
        ...


class Sender(Protocol):
    """Sends one rendered payload to the platform."""

    async def send(self, destination: Destination, payload: Mapping[str, Any]) -> SentRef:
        """Send or raise TransientSendError / PermanentSendError."""
        ...


class RateLimiter(Protocol):
    """Paces sends across every worker process, so the platform rarely has to say 429."""

    def reserve(self, key: str, limit: RateLimit) -> float:
        """0 if a send under `limit` for `key` may go now (the slot is taken), else seconds to wait."""
        ...


class Adapter(Renderer, Sender, Protocol):
    """One platform, as the core sees it: render and send."""

    platform: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AdapterResources:
    """What the composition root hands every adapter besides its own settings."""

    redis_url: str
    public_url: str | None = None
    locale: str = "en"
    """The community's language, for the few texts an adapter writes itself."""


class StartupError(Exception):
    """A process cannot start as configured; the message names what to set (never a value)."""


class Enqueue(Protocol):
    """Hands an inbound event to the pipeline (a Dramatiq actor in production)."""

    def __call__(self, event: Event) -> None:
        """Queue the event for `handle_event`; must return quickly."""
        ...
