"""Member records in typed ritual state: what a ritual keeps about a member is keyed by member id
and typed, so the core merges, forgets and exports it for every ritual (decision 025).

Three states change shape: welcome's joins and held onboardings were keyed by account
(`platform:space:user`, `platform:user`) and are now per member; spotlight's `queue` and `done`
become one list of turns (a turn keeps its place in the round when two members are linked), with
`ask_open`; each poll remembers the counts its copies show (`shown`), to edit only the tallies
a link or a forget-me changed. Joins of accounts no longer known are dropped.

Revision ID: 0011
Revises: 0010
"""

from collections import Counter
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STATES = sa.table(
    "ritual_states",
    sa.column("community_id", sa.String),
    sa.column("ritual", sa.String),
    sa.column("data", sa.JSON),
)
IDENTITIES = sa.table(
    "identities",
    sa.column("member_id", sa.Integer),
    sa.column("community_id", sa.String),
    sa.column("platform", sa.String),
    sa.column("user_id", sa.String),
)
Accounts = dict[tuple[str, str], int]


def upgrade() -> None:
    _rewrite("spotlight", lambda data, accounts: _spotlight_up(data))
    _rewrite("poll", lambda data, accounts: _poll_up(data))
    _rewrite("welcome", _welcome_up)


def downgrade() -> None:
    _rewrite("spotlight", lambda data, accounts: _spotlight_down(data))
    _rewrite("poll", lambda data, accounts: _poll_down(data))
    _rewrite("welcome", _welcome_down)


def _rewrite(ritual: str, change: Any) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(STATES.c.community_id, STATES.c.data).where(STATES.c.ritual == ritual)
    ).all()
    for row in rows:
        data = change(dict(row.data or {}), _accounts(connection, row.community_id))
        connection.execute(
            STATES.update()
            .where(STATES.c.community_id == row.community_id, STATES.c.ritual == ritual)
            .values(data=data)
        )


def _accounts(connection: Any, community_id: str) -> Accounts:
    rows = connection.execute(
        sa.select(IDENTITIES.c.platform, IDENTITIES.c.user_id, IDENTITIES.c.member_id).where(
            IDENTITIES.c.community_id == community_id
        )
    ).all()
    return {(r.platform, r.user_id): r.member_id for r in rows}


def _spotlight_up(data: dict[str, Any]) -> dict[str, Any]:
    done = {int(i) for i in data.pop("done", [])}
    queue = [int(i) for i in data.pop("queue", [])]
    data["turns"] = [{"member": i, "done": i in done} for i in queue]
    data["ask_open"] = bool(data.get("asked"))
    return data


def _spotlight_down(data: dict[str, Any]) -> dict[str, Any]:
    turns = data.pop("turns", [])
    data.pop("ask_open", None)
    data["queue"] = [t["member"] for t in turns]
    data["done"] = [t["member"] for t in turns if t.get("done")]
    return data


def _poll_up(data: dict[str, Any]) -> dict[str, Any]:
    for poll in data.get("polls", {}).values():
        poll["shown"] = {str(k): v for k, v in Counter(poll.get("votes", {}).values()).items()}
    return data


def _poll_down(data: dict[str, Any]) -> dict[str, Any]:
    for poll in data.get("polls", {}).values():
        poll.pop("shown", None)
    return data


def _welcome_up(data: dict[str, Any], accounts: Accounts) -> dict[str, Any]:
    greeted: dict[str, dict[str, str]] = {}
    for key, when in data.get("greeted", {}).items():
        platform, _, rest = key.partition(":")
        member = accounts.get((platform, rest.partition(":")[2]))
        if member is not None:
            greeted.setdefault(str(member), {})[key] = when
    pending: dict[str, dict[str, str]] = {}
    for key, when in data.get("pending", {}).items():
        platform, _, user_id = key.partition(":")
        member = accounts.get((platform, user_id))
        if member is not None:
            pending.setdefault(str(member), {})[platform] = when
    return {"greeted": greeted, "pending": pending}


def _welcome_down(data: dict[str, Any], accounts: Accounts) -> dict[str, Any]:
    users = {(str(member), platform): user for (platform, user), member in accounts.items()}
    greeted = {k: v for joins in data.get("greeted", {}).values() for k, v in joins.items()}
    pending = {
        f"{platform}:{users[(member, platform)]}": when
        for member, held in data.get("pending", {}).items()
        for platform, when in held.items()
        if (member, platform) in users
    }
    return {"greeted": greeted, "pending": pending}
