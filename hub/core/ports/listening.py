"""What the core needs to hear from platforms: an enqueue for the events listeners build."""

from __future__ import annotations

from typing import Protocol

from hub.core.model.events import Event


class Enqueue(Protocol):
    """Hands an inbound event to the pipeline (a Dramatiq actor in production)."""

    def __call__(self, event: Event) -> None:
        """Queue the event for `handle_event`; must return quickly."""
        ...
