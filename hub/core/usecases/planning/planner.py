"""The planner of one community, in one unit of work, at one moment."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import structlog

from hub.core.model.community import CommunityRuntime
from hub.core.model.deliveries import ERASE, DeliveryState, Destination, idempotency_key
from hub.core.model.domain import Identity
from hub.core.model.messages import Outbound
from hub.core.ports import Renderer, UnitOfWork
from hub.core.ports.outbox_store import PlannedDelivery
from hub.core.usecases.planning.destinations import destinations, with_mentions
from hub.core.usecases.planning.edits import planned_edits
from hub.core.usecases.planning.message import Message
from hub.core.usecases.planning.window import (
    NOT_SEEN,
    last_seen,
    log_window,
    part_state,
    within_window,
)

log = structlog.get_logger(__name__)


class Planner:
    """The outbox planner: what the ritual runner and the inbound pipeline call to turn
    messages into deliveries, skip them, hold and release them, through `uow.outbox`."""

    def __init__(
        self,
        uow: UnitOfWork,
        runtime: CommunityRuntime,
        renderers: Mapping[tuple[str, str], Renderer],
        now: datetime,
    ) -> None:
        self.uow, self.runtime, self.now = uow, runtime, now
        self.outbox = uow.outbox
        community_id = runtime.community.id
        self.renderers = {p: r for (c, p), r in renderers.items() if c == community_id}
        """This community's renderers, by platform."""

    def plan(self, ritual: str, cause: str, outbound: Outbound) -> list[int]:
        """Write the deliveries of one outbound message; the ids of those still to send."""
        message = Message(ritual, cause, with_mentions(self.outbox, outbound))
        if outbound.replaces is not None:
            return self._write(planned_edits(self.outbox, self.renderers, message))
        found = destinations(self.outbox, self.runtime, message.outbound, self._needs_opt_in)
        seen = last_seen(self.outbox, found, self.renderers)
        window = Counter[str]()
        ids: list[int] = []
        for destination in found:
            renderer = self._renderer_for(destination, message)
            if renderer is None:
                continue
            recipient = seen.get((destination.platform, destination.address), NOT_SEEN)
            verdict = within_window(renderer, message, destination, recipient, self.now)
            window[f"{destination.platform}:{verdict.name}"] += 1
            ids += self._write(self._parts(message, destination, verdict.payloads, verdict.state))
        log_window(window, message)
        return ids

    def skip_pending(self, platform: str, address: str, reason: str) -> int:
        """Nothing waiting for this account will be sent (it opted out); how many."""
        return self.outbox.skip_pending((platform, address), reason, self.now)

    def release_held(self, platform: str, address: str, keep: timedelta) -> list[int]:
        """The member wrote: what was held for them goes now, unless held longer than `keep`."""
        held = self.outbox.held((platform, address))
        fresh = [h.id for h in held if self.now - h.since <= keep]
        reason = f"held longer than {keep} for the member to write: no longer relevant"
        for stale in (h for h in held if self.now - h.since > keep):
            self.outbox.give_up(stale.id, reason, self.now)
        self.outbox.queue_again(fresh, self.now)
        return fresh

    def plan_erasure(self, ritual: str, cause: str, account: Identity) -> list[int]:
        """Ask `account`'s platform to erase what it keeps of them (`ERASE`), once; the row,
        like the goodbye, keeps neither address nor payload once sent."""
        destination = Destination(
            community_id=self.runtime.community.id,
            platform=account.platform,
            address=account.user_id,
            private=True,
        )
        erasure = PlannedDelivery(
            key=idempotency_key(cause, ERASE, destination, 0),
            ritual=ritual,
            destination=destination,
            part=0,
            payload={ERASE: True},
            state=DeliveryState.QUEUED,
            forget_when_sent=True,
        )
        return self._write([erasure])

    def _needs_opt_in(self, platform: str) -> bool:
        renderer = self.renderers.get(platform)
        return renderer is not None and renderer.capabilities.private_needs_opt_in

    def _renderer_for(self, destination: Destination, message: Message) -> Renderer | None:
        """The platform's renderer, if it can reach the destination at all."""
        renderer = self.renderers.get(destination.platform)
        if renderer is None or (destination.private and not renderer.capabilities.private_messages):
            log.info(
                "delivery.not_possible",
                platform=destination.platform,
                ritual=message.ritual,
                key=message.outbound.key,
            )
            return None
        return renderer

    def _parts(
        self,
        message: Message,
        destination: Destination,
        payloads: list[dict[str, Any]],
        state: tuple[DeliveryState, str | None],
    ) -> list[PlannedDelivery]:
        """One row per payload; each part but the last has a next part waiting for it."""
        parts: list[PlannedDelivery] = []
        for part, payload in enumerate(payloads):
            this_state, reason = part_state(part, state)
            parts.append(
                PlannedDelivery(
                    key=message.key(destination, part),
                    ritual=message.ritual,
                    destination=destination,
                    part=part,
                    payload=payload,
                    state=this_state,
                    reason=reason,
                    next_part=part + 1 < len(payloads),
                )
            )
        return parts

    def _write(self, deliveries: list[PlannedDelivery]) -> list[int]:
        """Write each delivery; the ids of those still to send."""
        written = (self.outbox.write(delivery, self.now) for delivery in deliveries)
        return [delivery_id for delivery_id in written if delivery_id is not None]
