"""Repositories the outbox planner and the occurrences need.

Filled in with the planner (`hub.core.usecases.planning`); storage implements them in
`hub.core.storage`, the tests' fakes in `tests/fakes/repositories/`.
"""

from __future__ import annotations

from typing import Protocol


class Outbox(Protocol):
    """Planned deliveries of one community: written by the planner, skipped, held, released."""


class OccurrenceStore(Protocol):
    """A community's ritual occurrences: manual firings and their attempts."""
