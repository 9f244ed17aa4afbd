"""Repositories of what rituals keep: their state, and the records they keep about members.

Filled in with member records (the core owns every record keyed by a member, to merge, forget
and export them for every ritual); storage implements them in `hub.core.storage`, the tests'
fakes in `tests/fakes/repositories/`.
"""

from __future__ import annotations

from typing import Protocol


class RitualStates(Protocol):
    """Each ritual's own state in one community, locked for the unit of work."""


class MemberRecords(Protocol):
    """Records rituals keep about members, keyed by member id."""
