"""Shout-out ("coup de pouce"): members put someone forward — a member, or an outside account,
expert or tool given as a link — with a reason; once a week the roundup celebrates them all.

Nominations are kept per week of the community's calendar: one per nominator and person (or
link) per week, so a second one only updates the reason and is never counted twice. The
roundup posts every nomination not yet announced, grouped by who is boosted, tells each
boosted member privately, then marks them announced; only the last weeks are kept.

`state` holds the nominations (member records the core renames on a link and drops on
forget-me), `targets` who a command names, `commands` the members' and owners' verbs,
`roundup` the weekly post, `ritual` the entry point.
"""

from hub.rituals.shoutout.config import ShoutoutConfig
from hub.rituals.shoutout.ritual import Shoutout
from hub.rituals.shoutout.state import Nomination, ShoutoutState

__all__ = ["Nomination", "Shoutout", "ShoutoutConfig", "ShoutoutState"]
