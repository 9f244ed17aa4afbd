"""The clock the use cases read: injected, so a test decides what time it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware."""


def utcnow() -> datetime:
    """The real clock, in UTC."""
    return datetime.now(UTC)
