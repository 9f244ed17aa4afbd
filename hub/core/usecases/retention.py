"""Retention: the hub's bookkeeping rows are deleted once they have served, in small batches.

Processed-event ids, finished inbox rows and dead letters, finished deliveries and finished
occurrences each have a period (`retention:` in the community file, defaults in the README).
The scheduler calls `prune` now and then. Communities that share their periods (most keep the
defaults) are pruned together, one query per table, so an idle pass costs a handful of indexed
queries however many communities the hub serves. Each call deletes in batches of at most
`batch` rows, each in its own short transaction, and at most one batch per table and community
of the group: a first run on a large database never holds a long lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.core.config.models import RetentionSection
from hub.core.model.community import CommunityRuntime
from hub.core.ports.clock import Clock, utcnow
from hub.core.ports.retention_store import KEPT, Expired, RetentionStore


class Retention:
    """Deletes what each community's retention periods let go."""

    def __init__(
        self,
        store: RetentionStore,
        communities: Mapping[str, CommunityRuntime],
        clock: Clock = utcnow,
    ) -> None:
        self.store = store
        self.communities = communities
        self.clock = clock

    def prune(self, batch: int = 1000) -> dict[str, int]:
        """One pass over every community; rows deleted, by table."""
        deleted: dict[str, int] = {}
        for community_ids, keep in self._groups():
            for table, count in self._prune_group(community_ids, keep, batch).items():
                deleted[table] = deleted.get(table, 0) + count
        return deleted

    def _groups(self) -> list[tuple[list[str], RetentionSection]]:
        """The communities, gathered by their retention periods."""
        groups: dict[tuple[tuple[str, Any], ...], tuple[list[str], RetentionSection]] = {}
        for community_id, runtime in self.communities.items():
            keep = runtime.config.retention
            periods = tuple(sorted(keep.model_dump().items()))
            groups.setdefault(periods, ([], keep))[0].append(community_id)
        return list(groups.values())

    def _prune_group(
        self, community_ids: list[str], keep: RetentionSection, batch: int
    ) -> dict[str, int]:
        now = self.clock()
        return {
            kind: self._delete(Expired(kind, community_ids, now - getattr(keep, kind)), batch)
            for kind in KEPT
        }

    def _delete(self, expired: Expired, batch: int) -> int:
        """Delete the group's expired rows, a batch per transaction; how many went."""
        deleted = 0
        for _ in expired.community_ids:  # at most one batch per community, as one by one
            count = self.store.delete_batch(expired, batch)
            deleted += count
            if count < batch:
                break
        return deleted
