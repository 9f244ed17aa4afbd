"""Spotlight ("à la une"): one member at a time is put forward to the whole community, in a fair
rotation over every member of every platform.

Two schedules: `schedule` publishes the member who was asked — their pitch and link if they
answered, else their profile card, else a warm invitation to say hello; the `ask` slot, by
default `ask_days_before` (2) days earlier at the same time, privately asks the member who comes
next to answer with `/hub spotlight pitch …` / `link …`, or to pass (`skip`: the next member is
asked at once). The ask slot is derived when `schedule` names one day of the week; otherwise
(or with `ask_days_before: 0`) set `ask_schedule`, or the ask goes out right after publishing.

Fairness: the queue is the exact upcoming order, each turn marked done once the member had it
this round (featured, or passed), always at its end. Newcomers join the end of the current
round (after everyone who was already waiting, before those already featured), so nobody comes
twice before every eligible member came once. Members who cannot be reached or paused
themselves (`off`) are skipped and keep their place; those who left or were forgotten leave the
queue. Owners see and reorder it.

`state` is what is kept (member records the core merges and forgets), `rotation` the queue's
rules, `publishing` the post and the ask, `commands` the verbs, `ritual` the entry point.
"""

from hub.rituals.spotlight.config import SpotlightConfig, shifted_weekday
from hub.rituals.spotlight.ritual import Spotlight
from hub.rituals.spotlight.state import Asked, SpotlightState, Turn

__all__ = ["Asked", "Spotlight", "SpotlightConfig", "SpotlightState", "Turn", "shifted_weekday"]
