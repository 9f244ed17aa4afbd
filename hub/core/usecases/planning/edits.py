"""Edits: a message that replaces one already sent becomes an edit of each copy of it."""

from __future__ import annotations

from collections.abc import Mapping

from hub.core.model.deliveries import DeliveryState
from hub.core.ports import Renderer
from hub.core.ports.outbox_store import Outbox, PlannedDelivery
from hub.core.usecases.planning.message import Message


def planned_edits(
    outbox: Outbox, renderers: Mapping[str, Renderer], message: Message
) -> list[PlannedDelivery]:
    """One edit per message the replaced outbound became (its first part, once it was sent),
    on platforms that edit in place. `renderers` by platform."""
    replaces = message.outbound.replaces
    assert replaces is not None
    edits: list[PlannedDelivery] = []
    for original in outbox.sent_first_parts(message.ritual, replaces.cause, replaces.key):
        destination = original.destination
        renderer = renderers.get(destination.platform)
        if renderer is None or original.platform_message_id is None:
            continue
        if not renderer.capabilities.edits:
            continue
        payload = renderer.render(message.outbound, destination)[0]
        edits.append(
            PlannedDelivery(
                key=message.key(destination, 0) + "|edit",
                ritual=message.ritual,
                destination=destination,
                part=0,
                payload={**payload, "edit": original.platform_message_id},
                state=DeliveryState.QUEUED,
            )
        )
    return edits
