"""The rows about a person that are not ritual records: what linking moves and forget-me erases.

Members, accounts, space memberships, deliveries, processed-event ids and inbound events.
Storage implements it in `hub.core.storage.repositories.people`; decision 013 says what goes.
"""

from __future__ import annotations

from typing import Protocol

from hub.core.model.traces import Traces


class People(Protocol):
    """A community's members as whole people: linked into one, or forgotten."""

    def merge(self, kept: int, gone: int) -> None:
        """`gone`'s accounts, memberships and deliveries are `kept`'s; their cards combine (the
        kept member's fields win); `gone` is deleted."""
        ...

    def traces(self, member_id: int) -> Traces | None:
        """How the member shows in other rows (None if there is no such member)."""
        ...

    def erase(self, member_id: int, farewell_cause: str) -> None:
        """Delete the member, accounts, memberships and deliveries, but keep (detached, to scrub
        themselves once sent) the deliveries `farewell_cause` planned for them."""
        ...

    def scrub(self, traces: Traces) -> None:
        """Deliveries naming them lose their text (and are skipped if not sent yet), keys lose
        their ids; processed-event ids and inbound events carrying an account id of theirs go."""
        ...
