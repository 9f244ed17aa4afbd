"""SQL for ritual state and member records (`hub.core.ports.records_store`)."""

from __future__ import annotations

from hub.core.storage.repositories.base import Repository


class SqlRitualStates(Repository):
    """Ritual state rows (`RitualStateRow`)."""


class SqlMemberRecords(Repository):
    """Records about members (`RitualRecordRow`)."""
