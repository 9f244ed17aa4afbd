"""Sending one delivery: claim it, reserve its slot, hand it to the platform, record the outcome.

A delivery is claimed with a conditional update, so two workers never send it at once, and every
later transition only applies while the claim holds (see `storage.deliveries`). No worker waits
for pacing: a delivery whose slot is in the future is handed back with the wait, and the queue
brings it back at its slot, which it owns. The only possible second send of a delivery is one
whose request was in flight when its worker died; a timeout after the request was written is
recorded as `uncertain` instead, except on platforms that recognise a resend.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import TypeVar

import structlog

from hub.core.model.deliveries import Delivery, Destination
from hub.core.ports import (
    Adapter,
    AddressMovedError,
    ConfigurationSendError,
    PermanentSendError,
    RateLimiter,
    RecipientUnreachableError,
    TransientSendError,
    UncertainSendError,
)
from hub.core.ports.clock import Clock, utcnow
from hub.core.ports.delivery_store import Deliveries, Unclaimed
from hub.core.usecases.pacing import Clearance, Pacer

log = structlog.get_logger(__name__)

SEND_TIMEOUT = 20.0
"""The longest a send may take before it counts as timed out (adapters' own timeouts are shorter)."""
LEASE = timedelta(seconds=30)
"""How long a claim holds: longer than the longest send, so no lease runs out mid-request."""

T = TypeVar("T")


class Outcome(StrEnum):
    """What became of one attempt."""

    SENT = "sent"
    ALREADY_DONE = "already_done"
    BUSY = "busy"
    PACED = "paced"
    RETRY = "retry"
    FAILED = "failed"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """The outcome of an attempt, and what the queue should do next.

    `retry_after`: when to come back (RETRY, BUSY) or the slot reserved (PACED), with the
    scopes of the budgets it `owned` there. `released`:
    the next parts of the message, to send now. `misconfigured`: the failure is the hub's own
    setup, for the owner to fix.
    """

    outcome: Outcome
    retry_after: float | None = None
    platform: str | None = None
    latency: float | None = None
    released: tuple[int, ...] = ()
    misconfigured: bool = False
    owned: tuple[str, ...] = ()
    attempts: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SendPolicy:
    """How hard sending tries, and how many blocking calls it runs at once."""

    max_attempts: int = 12
    """Attempts before a delivery fails for good."""
    io_threads: int = 8
    """Threads for blocking calls (database, limiter); `DeliveryService.resize` changes them."""


class DeliveryService:
    """Sends deliveries through the platform senders, moving them through `store`."""

    def __init__(
        self,
        store: Deliveries,
        senders: Mapping[tuple[str, str], Adapter],
        limiter: RateLimiter | None = None,
        *,
        clock: Clock = utcnow,
        policy: SendPolicy = SendPolicy(),
    ) -> None:
        self.store = store
        self.senders = senders
        self.pacer = Pacer(limiter)
        self.max_attempts = policy.max_attempts
        self.clock = clock
        self._pool = ThreadPoolExecutor(policy.io_threads, thread_name_prefix="hub-delivery-io")

    def resize(self, threads: int) -> None:
        """One blocking call (database, limiter) per worker thread at once, never queued."""
        old, self._pool = self._pool, ThreadPoolExecutor(threads, "hub-delivery-io")
        old.shutdown(wait=False)

    def reserve_planned(self, delivery_ids: Sequence[int]) -> list[tuple[int, Clearance]]:
        """Reserve the first slot of each delivery just planned, before its first attempt: a
        fan-out is handed to the queue already paced, each delivery owning its slot, instead
        of every delivery first taking a turn in the queue only to be told when to come back.
        Deliveries with no budget (or no adapter) get an empty clearance: send at once."""
        destinations = self.store.destinations(delivery_ids)
        reserved: list[tuple[int, Clearance]] = []
        for delivery_id in _by_turns(delivery_ids, destinations):
            destination = destinations.get(delivery_id)
            key = (destination.community_id, destination.platform) if destination else None
            sender = self.senders.get(key) if key else None
            if destination is None or sender is None:
                reserved.append((delivery_id, Clearance(wait=0.0)))
            else:
                reserved.append((delivery_id, self.pacer.clearance(destination, sender)))
        return reserved

    async def deliver(self, delivery_id: int, owned: Collection[str] = ()) -> Attempt:
        """One attempt at sending a delivery; `owned`: the scopes of the rate budgets whose
        slot it reserved, which has come (see `Pacer`)."""
        now = self.clock()
        claimed = await self._io(self.store.claim, delivery_id, now, LEASE)
        if isinstance(claimed, Unclaimed):
            return _unclaimed(claimed, now)
        platform = claimed.destination.platform
        sender = self.senders.get((claimed.community_id, platform))
        if sender is None:
            return await self._fail(claimed, "no adapter for this platform is configured", True)
        if claimed.attempts > self.max_attempts:
            return await self._fail(claimed, f"gave up after {self.max_attempts} attempts", False)
        budgets = self.pacer.budgets(claimed.destination, sender)
        if not budgets:
            return await self._send(sender, claimed)  # nothing to reserve (the webchat)
        try:
            token = f"{claimed.id}:{claimed.attempts}"
            clearance = await self._io(self.pacer.clear_to_send, budgets, owned, token)
        except Exception:  # the limiter is unreachable: hand the delivery back at once
            await self._io(self.store.release, claimed, "rate limiter unavailable", now, now)
            raise
        if clearance.wait > 0:
            until = now + timedelta(seconds=clearance.wait)
            held = await self._io(self.store.postpone, claimed, until, now)
            return Attempt(
                outcome=Outcome.PACED if held else Outcome.ALREADY_DONE,
                retry_after=clearance.wait,
                owned=clearance.owned,
                platform=platform,
            )
        return await self._send(sender, claimed)

    async def _send(self, sender: Adapter, delivery: Delivery) -> Attempt:
        platform = delivery.destination.platform
        try:
            send = sender.send(delivery.destination, delivery.payload)
            ref = await asyncio.wait_for(send, SEND_TIMEOUT)
        except Exception as error:
            return await self._after(error, sender, delivery)
        sent = await self._io(self.store.mark_sent, delivery, ref, self.clock())
        if sent is None:
            log.warning("delivery.lease_lost", id=delivery.id, platform=platform)
            return Attempt(outcome=Outcome.ALREADY_DONE, platform=platform)
        latency = (self.clock() - sent.created_at).total_seconds()
        return Attempt(
            outcome=Outcome.SENT, platform=platform, latency=latency, released=sent.released
        )

    async def _after(self, error: Exception, sender: Adapter, delivery: Delivery) -> Attempt:
        """What a failed send becomes; every kind of error counts as an attempt."""
        if isinstance(error, TransientSendError):
            if error.retry_after:  # a 429: every worker holds back, not only this one
                await self._io(self.pacer.pause, delivery.destination, sender, error.retry_after)
            return await self._retry(delivery, error.reason, error.retry_after)
        if isinstance(error, AddressMovedError):
            return await self._move(delivery, error.new_address)
        if isinstance(error, PermanentSendError):
            return await self._refused(delivery, error)
        if isinstance(error, UncertainSendError | TimeoutError):
            reason = str(error) or f"no answer within {SEND_TIMEOUT:.0f} s"
            if sender.capabilities.deduplicates:
                return await self._retry(delivery, reason, None)
            return await self._uncertain(delivery, reason)
        platform = delivery.destination.platform  # an adapter's bug: retried, then failed
        log.error("delivery.error", id=delivery.id, platform=platform, exc_info=error)
        return await self._retry(delivery, f"{platform}: {type(error).__name__}", None)

    async def _refused(self, delivery: Delivery, error: PermanentSendError) -> Attempt:
        """Only the member's own platform saying so marks them unreachable there."""
        if isinstance(error, RecipientUnreachableError):
            return await self._fail(delivery, error.reason, False, unreachable=True)
        misconfigured = isinstance(error, ConfigurationSendError)
        return await self._fail(delivery, error.reason, misconfigured)

    async def _retry(self, delivery: Delivery, reason: str, retry_after: float | None) -> Attempt:
        platform = delivery.destination.platform
        if delivery.attempts >= self.max_attempts:
            return await self._fail(delivery, reason, False, permanent=False)
        now = self.clock()
        until = now + timedelta(seconds=retry_after or 0)
        await self._io(self.store.release, delivery, reason, until, now)
        log.warning("delivery.transient", id=delivery.id, platform=platform, reason=reason)
        return Attempt(
            outcome=Outcome.RETRY,
            retry_after=retry_after,
            platform=platform,
            attempts=delivery.attempts,
        )

    async def _move(self, delivery: Delivery, new_address: str) -> Attempt:
        destination = delivery.destination
        await self._io(self.store.move, delivery, new_address, self.clock())
        log.warning(
            "space.moved",
            platform=destination.platform,
            old=destination.address,
            new=new_address,
            hint="update the space's address in the YAML file",
        )
        return Attempt(
            outcome=Outcome.RETRY,
            retry_after=0,
            platform=destination.platform,
            attempts=delivery.attempts,
        )

    async def _fail(
        self,
        delivery: Delivery,
        reason: str,
        misconfigured: bool,
        *,
        permanent: bool = True,
        unreachable: bool = False,
    ) -> Attempt:
        platform = delivery.destination.platform
        fail = partial(self.store.fail, permanent=permanent, unreachable=unreachable)
        await self._io(fail, delivery, reason, self.clock())
        event = "delivery.misconfigured" if misconfigured else "delivery.failed"
        log.warning(event, id=delivery.id, platform=platform, reason=reason)
        return Attempt(outcome=Outcome.FAILED, platform=platform, misconfigured=misconfigured)

    async def _uncertain(self, delivery: Delivery, reason: str) -> Attempt:
        platform = delivery.destination.platform
        released = await self._io(self.store.mark_uncertain, delivery, reason, self.clock())
        log.warning("delivery.uncertain", id=delivery.id, platform=platform, reason=reason)
        return Attempt(outcome=Outcome.UNCERTAIN, platform=platform, released=released)

    async def _io(self, call: Callable[..., T], *args: object) -> T:
        """Run a blocking call (database, limiter) on the delivery pool, not asyncio's default."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(call, *args))


def _by_turns(delivery_ids: Sequence[int], destinations: Mapping[int, Destination]) -> list[int]:
    """One platform's delivery, then the next platform's, and round again: every platform's
    first slot is reserved at once, not after the whole of the platforms planned before it."""
    queues: dict[str, list[int]] = {}
    for delivery_id in delivery_ids:
        destination = destinations.get(delivery_id)
        queues.setdefault(destination.platform if destination else "", []).append(delivery_id)
    turns = itertools.zip_longest(*queues.values())
    return [delivery_id for turn in turns for delivery_id in turn if delivery_id is not None]


def _unclaimed(unclaimed: Unclaimed, now: datetime) -> Attempt:
    """Done (held and waiting parts included: they are queued again when their time comes), or
    busy until another worker's lease or a reserved slot has passed."""
    if unclaimed.done:
        return Attempt(outcome=Outcome.ALREADY_DONE)
    until = unclaimed.until or now + LEASE
    return Attempt(outcome=Outcome.BUSY, retry_after=max((until - now).total_seconds(), 0.05))
