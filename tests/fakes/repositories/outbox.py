"""In-memory fakes of the outbox repositories (see `hub.core.ports`)."""

from __future__ import annotations


class FakeOutbox:
    """Planned deliveries, in a list."""


class FakeOccurrences:
    """Occurrences, in a dict."""
