"""SQL for the inbound pipeline's ports (`hub.core.ports.inbound_store`)."""

from __future__ import annotations

from hub.core.storage.repositories.base import Repository


class SqlProcessedEvents(Repository):
    """Processed event ids (`ProcessedEventRow`)."""


class SqlMembers(Repository):
    """Members, identities, memberships (`MemberRow`, `IdentityRow`, `MembershipRow`)."""


class SqlSentMessages(Repository):
    """Sent deliveries found by platform message id (`DeliveryRow`)."""
