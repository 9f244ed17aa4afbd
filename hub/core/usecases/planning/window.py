"""The reply window rule: a platform like WhatsApp lets free-form messages reach a member only
for a while after they last wrote; outside it an approved template stands in, or the message is
held for the member's next message, or skipped, and the reason is recorded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from hub.core.model.deliveries import DeliveryState, Destination
from hub.core.ports import Renderer, TemplateRenderer
from hub.core.ports.outbox_store import LastSeen, Outbox
from hub.core.usecases.planning.message import Message

log = structlog.get_logger(__name__)

HELD_REASON = (
    "outside the 24-hour reply window and no approved template for this ritual: "
    "held until the member writes again"
)
OUTSIDE: dict[str, tuple[DeliveryState, str | None]] = {
    "held": (DeliveryState.HELD, HELD_REASON),
    "skipped": (
        DeliveryState.SKIPPED,
        "outside the 24-hour reply window and no approved template for this ritual",
    ),
}
"""The state (and reason) of a message the window kept out, by verdict."""
NOT_SEEN = LastSeen(None, "")


@dataclass(frozen=True, slots=True)
class Verdict:
    """How a message may reach one destination, and the payloads to write for it."""

    name: str
    """"free" (inside the window, or no window), "template", "held" or "skipped"."""
    payloads: list[dict[str, Any]]

    @property
    def state(self) -> tuple[DeliveryState, str | None]:
        """The first part's state and reason."""
        return OUTSIDE.get(self.name, (DeliveryState.QUEUED, None))


def within_window(
    renderer: Renderer, message: Message, destination: Destination, seen: LastSeen, now: datetime
) -> Verdict:
    """How a message may reach a member on a platform with a reply window; outside it, the
    free-form payloads are kept for when the member writes again."""
    capabilities, outbound = renderer.capabilities, message.outbound
    if capabilities.reply_window is None or destination.member_id is None:
        return Verdict("free", renderer.render(outbound, destination))
    if seen.at is not None and now - seen.at < capabilities.reply_window:
        return Verdict("free", renderer.render(outbound, destination))
    if isinstance(renderer, TemplateRenderer):
        template = renderer.render_template(message.ritual, outbound, destination, seen.name)
        if template is not None:
            return Verdict("template", [template])
    verdict = "held" if capabilities.hold_outside_window else "skipped"
    return Verdict(verdict, renderer.render(outbound, destination))


def part_state(
    part: int, state: tuple[DeliveryState, str | None]
) -> tuple[DeliveryState, str | None]:
    """The first part takes the message's state; later ones wait for the part before them."""
    if part == 0 or state[0] is DeliveryState.SKIPPED:
        return state
    return DeliveryState.WAITING, None


def last_seen(
    outbox: Outbox, found: list[Destination], renderers: Mapping[str, Renderer]
) -> dict[tuple[str, str], LastSeen]:
    """When each member on a platform with a reply window last wrote, and their name: read
    once for the whole fan-out, not once per member. `renderers` by platform."""
    wanted: dict[str, list[str]] = {}
    for d in found:
        renderer = renderers.get(d.platform)
        if d.member_id is not None and renderer and renderer.capabilities.reply_window:
            wanted.setdefault(d.platform, []).append(d.address)
    return {
        (platform, user_id): seen
        for platform, addresses in wanted.items()
        for user_id, seen in outbox.last_seen(platform, addresses).items()
    }


def log_window(window: Counter[str], message: Message) -> None:
    """Say how many members a reply window kept from a free-form message, per platform."""
    platforms = {name.split(":")[0] for name in window}
    for platform in sorted(platforms):
        counts = {v: window[f"{platform}:{v}"] for v in ("free", "template", "held", "skipped")}
        if counts["template"] or counts["held"] or counts["skipped"]:
            log.info(
                "delivery.reply_window",
                platform=platform,
                ritual=message.ritual,
                key=message.outbound.key,
                inside=counts["free"],
                outside=counts["template"] + counts["held"] + counts["skipped"],
                **{f"by_{v}": n for v, n in counts.items() if v != "free"},
            )
