"""The nominations, by week: member records the core renames on a link and drops on forget-me.

A nomination names its nominator (`by`) and, unless it boosts a link, the member boosted; once
a link made two of them one person's, `after_merge` drops what became a self-nomination and
folds the duplicates (the latest reason wins).
"""

from __future__ import annotations

from datetime import datetime
from typing import Self
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from hub.core.model.member_records import MemberRef, RitualState

KEEP_WEEKS = 2  # weeks kept after a roundup (the one just announced and the one before)
KEEP_PENDING_WEEKS = 4  # bound on the state when no roundup runs


class Nomination(BaseModel):
    """Who put whom (or which link) forward, why, where and when."""

    by: MemberRef
    member: MemberRef | None = None
    url: str | None = None
    why: str
    platform: str
    space: str | None = None
    at: datetime
    announced: bool = False

    @property
    def key(self) -> str:
        """What makes two nominations the same (a link however it is written)."""
        return target_key(self.member, self.url)


class ShoutoutState(RitualState):
    """Nominations by week of the community's calendar (`2026-W48`)."""

    weeks: dict[str, list[Nomination]] = Field(default_factory=dict)

    def after_merge(self) -> Self:
        """No self-nomination, and one nomination per nominator and target in a week."""
        weeks = {
            week: _folded([n for n in entries if n.by != n.member])
            for week, entries in self.weeks.items()
        }
        return self.model_copy(update={"weeks": weeks})

    def recent(self, keep: int = KEEP_WEEKS) -> ShoutoutState:
        """Only the last `keep` weeks that hold nominations, so the state stays small."""
        kept = sorted(w for w in self.weeks if self.weeks[w])[-keep:]
        return ShoutoutState(weeks={week: self.weeks[week] for week in kept})


def target_key(member_id: int | None, url: str | None) -> str:
    """`member:7`, or the link without scheme, `www.` or trailing slash."""
    if member_id is not None:
        return f"member:{member_id}"
    parts = urlsplit(str(url))
    host = parts.netloc.casefold().removeprefix("www.")
    query = f"?{parts.query}" if parts.query else ""
    return f"url:{host}{parts.path.rstrip('/')}{query}"


def find(entries: list[Nomination], by: int, key: str) -> int | None:
    """Where the nomination of `key` by `by` is in the list, if it is."""
    return next((i for i, n in enumerate(entries) if n.by == by and n.key == key), None)


def _folded(entries: list[Nomination]) -> list[Nomination]:
    out: list[Nomination] = []
    for nomination in entries:
        index = find(out, nomination.by, nomination.key)
        if index is None:
            out.append(nomination)
            continue
        first = out[index]
        latest = max(first, nomination, key=lambda n: n.at)
        announced = first.announced and nomination.announced
        update = {"why": latest.why, "at": latest.at, "announced": announced}
        out[index] = first.model_copy(update=update)
    return out
