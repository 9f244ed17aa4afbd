"""SQL for the planner's and occurrences' ports (`hub.core.ports.outbox_store`)."""

from __future__ import annotations

from hub.core.storage.repositories.base import Repository


class SqlOutbox(Repository):
    """Planned deliveries (`DeliveryRow`, `AddressMoveRow`)."""


class SqlOccurrences(Repository):
    """Ritual occurrences (`OccurrenceRow`)."""
