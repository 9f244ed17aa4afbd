"""In-memory fakes of the inbound repositories (see `hub.core.ports`)."""

from __future__ import annotations


class FakeProcessedEvents:
    """Processed event ids, in a set."""


class FakeMembers:
    """Members and their accounts, in dicts."""


class FakeSentMessages:
    """Sent deliveries by platform message id, in a dict."""
