"""Repositories the inbound pipeline needs: processed events, members, sent messages.

Filled in with the inbound pipeline (see `hub.core.usecases`); storage implements them in
`hub.core.storage`, the tests' fakes in `tests/fakes/repositories/`.
"""

from __future__ import annotations

from typing import Protocol


class ProcessedEvents(Protocol):
    """The ids of events already handled, so a redelivered event runs once."""


class MemberStore(Protocol):
    """Members, their accounts, space memberships, opt-outs and private chats."""


class SentMessages(Protocol):
    """The hub's sent deliveries, found by the platform's message id (reports, replies, choices)."""
