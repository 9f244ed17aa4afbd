"""The outbox planner: turns a ritual's outbound messages into delivery rows, in its transaction.

Each delivery gets an idempotency key (cause + message key + destination + part), so planning the
same cause twice plans nothing new, and a delivery already sent is never planned again. The
planner reaches storage only through `uow.outbox` (`hub.core.ports.Outbox`): `destinations`
finds where a message goes, `window` applies a reply window, `edits` replaces sent messages,
`planner` writes the rows.
"""

from hub.core.usecases.planning.planner import Planner

__all__ = ["Planner"]
