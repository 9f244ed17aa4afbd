"""What every repository holds: the unit of work's session and its community."""

from __future__ import annotations

from sqlalchemy.orm import Session


class Repository:
    """Bound to one session (the unit of work's transaction) and one community."""

    def __init__(self, session: Session, community_id: str) -> None:
        self.session = session
        self.community_id = community_id
