"""TEMPORARY, removed before issue 13 closes: the SQLAlchemy session behind a unit of work.

Lets use cases move to `UnitOfWork` one area at a time while functions not yet behind a
repository still take a session. The contract "use cases import no storage or SQL" lands when
nothing imports this module any more.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy.orm import Session

from hub.core.ports import UnitOfWork


def session_of(uow: UnitOfWork) -> Session:
    """The session of a `SqlUnitOfWork` (the only kind that exists while this module does)."""
    return cast(Session, uow.session)  # type: ignore[attr-defined]
