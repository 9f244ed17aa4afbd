"""What retention deletes: the hub's bookkeeping rows once their period is over.

Not bound to one community: communities that share their periods are pruned together. Storage
implements it in `hub.core.storage.repositories.retention`, the tests' fake in
`tests/fakes/repositories/retention.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

Kept = Literal["processed_events", "inbox", "dead_letters", "deliveries", "occurrences"]
"""What is kept for a while: processed event ids, finished inbox rows, dead letters, finished
deliveries, finished occurrences (each with its period in `retention:`)."""
KEPT: tuple[Kept, ...] = ("processed_events", "inbox", "dead_letters", "deliveries", "occurrences")


@dataclass(frozen=True, slots=True)
class Expired:
    """Rows of one kind, of these communities, that are finished and older than `before`."""

    kind: Kept
    community_ids: Sequence[str]
    before: datetime


class RetentionStore(Protocol):
    """Deletes expired rows, a batch at a time."""

    def delete_batch(self, expired: Expired, batch: int) -> int:
        """Delete at most `batch` of the expired rows, in one short transaction; how many."""
        ...
