"""Points: members earn points for taking part (messages, icebreaker answers, shout-outs,
kudos, reactions), win badges at thresholds and see a weekly, monthly and all-time leaderboard.

Every award is a `points` record (the append-only ledger); the state only keeps running totals
(all-time, the current and previous week and month) and today's per-rule counts, which cap each
rule per member and community calendar day so nobody can farm points. The state is member
records (`state`): the core adds two linked members' totals up and drops a forgotten one's.
"""

from hub.rituals.points.config import PointsConfig
from hub.rituals.points.ritual import Points, totals_from_ledger
from hub.rituals.points.state import PointsState

__all__ = ["Points", "PointsConfig", "PointsState", "totals_from_ledger"]
