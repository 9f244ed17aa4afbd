"""In-memory fakes of the records repositories (see `hub.core.ports`)."""

from __future__ import annotations


class FakeRitualStates:
    """Ritual states, in a dict."""


class FakeMemberRecords:
    """Member records, in a list."""
