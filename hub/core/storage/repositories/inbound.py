"""SQL for the inbound pipeline's ports (`hub.core.ports.inbound_store`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hub.core.model.deliveries import DeliveryState
from hub.core.ports.inbound_store import PlannedDelivery, SentMessage
from hub.core.storage.orm import DeliveryRow, ProcessedEventRow
from hub.core.storage.repositories.base import Repository
from hub.core.storage.repositories.members import SqlMembers
from hub.core.storage.sql import insert_if_absent

__all__ = ["SqlMembers", "SqlProcessedEvents", "SqlSentMessages"]


class SqlProcessedEvents(Repository):
    """Processed event ids (`ProcessedEventRow`): the primary key decides who handles an event."""

    def first_time(self, event_id: str, now: datetime) -> bool:
        """Record the event as handled; False if it already was."""
        values = {"community_id": self.community_id, "event_id": event_id, "received_at": now}
        return insert_if_absent(self.session, ProcessedEventRow.__table__, values)  # type: ignore[arg-type]


class SqlSentMessages(Repository):
    """The hub's deliveries (`DeliveryRow`), as the inbound side finds and updates them."""

    def by_platform_id(self, platform: str, message_id: str) -> SentMessage | None:
        """The delivery that became the platform's message `message_id`."""
        row = self.session.scalars(
            select(DeliveryRow).where(
                DeliveryRow.community_id == self.community_id,
                DeliveryRow.platform == platform,
                DeliveryRow.platform_message_id == message_id,
            )
        ).first()
        return None if row is None else _sent(row)

    def last_offer(self, platform: str, address: str, since: datetime) -> SentMessage | None:
        """The latest delivery sent to `address` since `since` that offered numbered choices."""
        rows = self.session.scalars(
            select(DeliveryRow)
            .where(
                DeliveryRow.community_id == self.community_id,
                DeliveryRow.platform == platform,
                DeliveryRow.address == address,
                DeliveryRow.state == DeliveryState.SENT.value,
                DeliveryRow.sent_at >= since,
            )
            .order_by(DeliveryRow.sent_at.desc(), DeliveryRow.id.desc())
        )
        return next((_sent(row) for row in rows if row.payload.get("choices")), None)

    def set_status(self, delivery_id: int, status: str, now: datetime) -> None:
        """Keep the platform's latest word on the delivery."""
        row = self.session.get_one(DeliveryRow, delivery_id)
        row.platform_status, row.updated_at = status, now

    def hold(self, delivery_id: int, reason: str) -> None:
        """Held for the member's next message; the platform's id is dropped (it will be resent)."""
        row = self.session.get_one(DeliveryRow, delivery_id)
        row.state, row.platform_message_id = DeliveryState.HELD.value, None
        row.last_error = reason[:2000]

    def fail(self, delivery_id: int, reason: str) -> None:
        """Failed for good: never retried."""
        row = self.session.get_one(DeliveryRow, delivery_id)
        row.state, row.permanent = DeliveryState.FAILED.value, True
        row.last_error = reason[:2000]

    def of_cause(self, cause: str) -> list[PlannedDelivery]:
        """Every delivery planned for `cause`, in planning order."""
        rows = self.session.scalars(
            select(DeliveryRow)
            .where(DeliveryRow.idempotency_key.startswith(f"{cause}|", autoescape=True))
            .order_by(DeliveryRow.id)
        )
        return [
            PlannedDelivery(
                platform=d.platform,
                space=d.space,
                address=d.address,
                private=d.private,
                part=d.part,
                payload=d.payload,
                state=d.state,
                note=d.last_error,
            )
            for d in rows
        ]


def _sent(row: DeliveryRow) -> SentMessage:
    choices = row.payload.get("choices") or ()
    return SentMessage(
        id=row.id,
        ritual=row.ritual,
        platform=row.platform,
        idempotency_key=row.idempotency_key,
        member_id=row.member_id,
        platform_message_id=row.platform_message_id,
        platform_status=row.platform_status,
        choices=tuple((str(action), str(value)) for action, value in choices),
    )
