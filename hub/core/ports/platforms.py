"""What the core needs from a platform: its capabilities, a renderer and a sender."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from hub.core.model.deliveries import Destination, SentRef
from hub.core.model.messages import Outbound
from hub.core.ports.limits import RateLimit


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
    deduplicates: bool = False
    """The platform recognises a resend of the same payload (Discord's nonce), so a send that
    timed out may be tried again without risking a duplicate; elsewhere it is `uncertain`."""
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
    """Will never succeed as is (not found, too long, refused): recorded, not retried."""


class RecipientUnreachableError(PermanentSendError):
    """The member's own platform says this account cannot be written to (blocked the bot,
    unsubscribed, never opened the private chat): only this marks the member unreachable there."""


class ConfigurationSendError(PermanentSendError):
    """The hub's own setup is wrong (token rejected, template refused, permission missing): the
    delivery fails and the owner is told, but no member is marked unreachable because of it."""


class UncertainSendError(SendError):
    """The request may have reached the platform (it timed out after being written) and the
    platform cannot deduplicate a second one: recorded as `uncertain`, never sent again."""


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


class Adapter(Renderer, Sender, Protocol):
    """One platform, as the core sees it: render and send."""

    platform: str
    account: str
    """The platform account sends go out as (bot id, workspace token's digest, sender number):
    rate budgets are kept per account, shared by every community that uses it. Never a secret."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AdapterResources:
    """What the composition root hands every adapter besides its own settings."""

    redis_url: str
    public_url: str | None = None
    locale: str = "en"
    """The community's language, for the few texts an adapter writes itself."""


class StartupError(Exception):
    """A process cannot start as configured; the message names what to set (never a value)."""
