"""Sending one delivery: claim it, hand it to the platform, record the outcome.

A delivery is claimed with a conditional update (queued or sending, and `lease_until` passed), so
two workers never send it at once, and a `sent` delivery is never sent again. The only possible
second send is a delivery whose request was in flight when its worker died.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import structlog
from sqlalchemy import or_, update

from hub.core.delivery import Delivery, DeliveryState, SentRef
from hub.core.forgetting import scrub_sent
from hub.core.members import mark_unreachable
from hub.core.pacing import Pacer
from hub.core.ports import (
    Adapter,
    AddressMovedError,
    PermanentSendError,
    RateLimiter,
    Sender,
    TransientSendError,
)
from hub.core.storage.db import Database
from hub.core.storage.orm import AddressMoveRow, DeliveryRow
from hub.core.storage.sql import insert_if_absent

log = structlog.get_logger(__name__)

LEASE = timedelta(seconds=30)


class Outcome(StrEnum):
    """What became of one attempt."""

    SENT = "sent"
    ALREADY_DONE = "already_done"
    BUSY = "busy"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """The outcome of an attempt, and when to try again for RETRY and BUSY."""

    outcome: Outcome
    retry_after: float | None = None
    platform: str | None = None
    latency: float | None = None


class DeliveryService:
    """Sends deliveries through the platform senders."""

    def __init__(
        self,
        database: Database,
        senders: Mapping[tuple[str, str], Adapter],
        max_attempts: int = 12,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        limiter: RateLimiter | None = None,
    ) -> None:
        self.database = database
        self.senders = senders
        self.pacer = Pacer(limiter)
        self.max_attempts = max_attempts
        self.clock = clock

    async def deliver(self, delivery_id: int) -> Attempt:
        """One attempt at sending a delivery."""
        claimed = await asyncio.to_thread(self._claim, delivery_id)
        if isinstance(claimed, Outcome):
            return Attempt(
                outcome=claimed,
                retry_after=LEASE.total_seconds() if claimed is Outcome.BUSY else None,
            )
        sender = self.senders.get((claimed.community_id, claimed.destination.platform))
        if sender is None:
            await asyncio.to_thread(
                self._fail, claimed, "no adapter for this platform is configured"
            )
            return Attempt(outcome=Outcome.FAILED, platform=claimed.destination.platform)
        wait = await self.pacer.clearance(claimed, sender.capabilities.rate_limits)
        if wait > 0:
            await asyncio.to_thread(self._postpone, claimed, wait)
            return Attempt(
                outcome=Outcome.BUSY, retry_after=wait, platform=claimed.destination.platform
            )
        return await self._send(sender, claimed)

    async def _send(self, sender: Sender, delivery: Delivery) -> Attempt:
        platform = delivery.destination.platform
        try:
            ref = await sender.send(delivery.destination, delivery.payload)
        except TransientSendError as error:
            if delivery.attempts >= self.max_attempts:
                await asyncio.to_thread(self._give_up, delivery.id, error.reason)
                return Attempt(outcome=Outcome.FAILED, platform=platform)
            await asyncio.to_thread(self._release, delivery, error)
            log.warning(
                "delivery.transient", id=delivery.id, platform=platform, reason=error.reason
            )
            return Attempt(outcome=Outcome.RETRY, retry_after=error.retry_after, platform=platform)
        except AddressMovedError as error:
            await asyncio.to_thread(self._move, delivery, error.new_address)
            log.warning(
                "space.moved",
                platform=platform,
                old=delivery.destination.address,
                new=error.new_address,
                hint="update the space's address in the YAML file",
            )
            return Attempt(outcome=Outcome.RETRY, retry_after=0, platform=platform)
        except PermanentSendError as error:
            await asyncio.to_thread(self._fail, delivery, error.reason)
            log.warning("delivery.failed", id=delivery.id, platform=platform, reason=error.reason)
            return Attempt(outcome=Outcome.FAILED, platform=platform)
        created = await asyncio.to_thread(self._mark_sent, delivery, ref)
        latency = (self.clock() - created).total_seconds()
        return Attempt(outcome=Outcome.SENT, platform=platform, latency=latency)

    def _claim(self, delivery_id: int) -> Delivery | Outcome:
        now = self.clock()
        with self.database.transaction() as session:
            claimed = session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id == delivery_id,
                    or_(
                        DeliveryRow.state == DeliveryState.QUEUED.value,
                        DeliveryRow.state == DeliveryState.SENDING.value,
                    ),
                    or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until <= now),
                )
                .values(
                    state=DeliveryState.SENDING.value,
                    attempts=DeliveryRow.attempts + 1,
                    lease_until=now + LEASE,
                    updated_at=now,
                )
                .returning(DeliveryRow.id)
            ).first()
            row = session.get(DeliveryRow, delivery_id, populate_existing=True)
            if row is None:
                return Outcome.ALREADY_DONE
            if claimed is None:
                done = row.state in (
                    DeliveryState.SENT,
                    DeliveryState.FAILED,
                    DeliveryState.SKIPPED,
                )
                return Outcome.ALREADY_DONE if done else Outcome.BUSY
            return _to_delivery(row)

    def _mark_sent(self, delivery: Delivery, ref: SentRef) -> datetime:
        now = self.clock()
        with self.database.transaction() as session:
            row = session.get_one(DeliveryRow, delivery.id)
            row.state, row.platform_message_id = DeliveryState.SENT.value, ref.message_id
            row.sent_at = row.updated_at = now
            row.lease_until, row.last_error = None, None
            if row.forget_when_sent:
                scrub_sent(row)
            return row.created_at

    def _move(self, delivery: Delivery, new_address: str) -> None:
        """Remember the space's new address and send this delivery there, not counting the attempt."""
        destination, now = delivery.destination, self.clock()
        with self.database.transaction() as session:
            move = {
                "community_id": delivery.community_id,
                "platform": destination.platform,
                "old_address": destination.address,
            }
            table = AddressMoveRow.__table__
            insert_if_absent(session, table, {**move, "new_address": new_address, "moved_at": now})  # type: ignore[arg-type]
            session.get_one(
                AddressMoveRow, (move["community_id"], move["platform"], move["old_address"])
            ).new_address = new_address
            row = session.get_one(DeliveryRow, delivery.id)
            row.address, row.state, row.attempts = (
                new_address,
                DeliveryState.QUEUED.value,
                row.attempts - 1,
            )
            row.lease_until, row.updated_at = None, now

    def _postpone(self, delivery: Delivery, wait: float) -> None:
        """Back to queued for `wait` seconds; pacing is not a failed attempt."""
        now = self.clock()
        with self.database.transaction() as session:
            row = session.get_one(DeliveryRow, delivery.id)
            if row.state != DeliveryState.SENDING.value:  # skipped meanwhile (opt-out, forget-me)
                return
            row.state, row.attempts = DeliveryState.QUEUED.value, row.attempts - 1
            row.lease_until, row.updated_at = now + timedelta(seconds=wait), now

    def _release(self, delivery: Delivery, error: TransientSendError) -> None:
        """Back to queued; nobody takes it before the platform's retry-after has passed."""
        now = self.clock()
        with self.database.transaction() as session:
            row = session.get_one(DeliveryRow, delivery.id)
            if row.state != DeliveryState.SENDING.value:  # skipped meanwhile (opt-out, forget-me)
                return
            row.state, row.last_error = DeliveryState.QUEUED.value, error.reason[:2000]
            row.lease_until = now + timedelta(seconds=error.retry_after or 0)
            row.updated_at = now

    def _fail(self, delivery: Delivery, reason: str) -> None:
        with self.database.transaction() as session:
            row = session.get_one(DeliveryRow, delivery.id)
            row.state, row.permanent, row.last_error = (
                DeliveryState.FAILED.value,
                True,
                reason[:2000],
            )
            row.lease_until, row.updated_at = None, self.clock()
            if row.forget_when_sent:
                scrub_sent(row)
            if row.member_id is not None:  # a private chat, or a member of an opt-in list
                mark_unreachable(session, row.member_id, row.platform, reason)

    def _give_up(self, delivery_id: int, reason: str) -> None:
        """Record a delivery as failed after its last transient attempt (not permanent)."""
        with self.database.transaction() as session:
            row = session.get(DeliveryRow, delivery_id)
            if row is not None and row.state != DeliveryState.SENT:
                row.state, row.permanent, row.last_error = (
                    DeliveryState.FAILED.value,
                    False,
                    reason[:2000],
                )
                row.lease_until, row.updated_at = None, self.clock()
                if row.forget_when_sent:
                    scrub_sent(row)


def _to_delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        idempotency_key=row.idempotency_key,
        community_id=row.community_id,
        destination=row.destination(),
        payload=row.payload,
        state=DeliveryState(row.state),
        attempts=row.attempts,
    )
