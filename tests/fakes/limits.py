"""Sliding-window rate limits for the platform fakes, and the log a bench reads them back from.

A `Window(count, seconds)` admits a send only if fewer than `count` sends under the same key
were accepted in the last `seconds` ("no more than N in any window of that length"): at least
as strict as the platforms, which publish a rate and tolerate short bursts. Only accepted sends
are counted (a refused request is not processed, as every platform documents for its 429).
Several windows that apply to one request are checked together: a request refused by one of
them spends nothing from the others. Times are `time.monotonic()` of the process running the
fake, so a bench in the same process can read `SendLog` directly.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Window:
    """At most `count` accepted sends per key in any `seconds` long window."""

    count: int
    seconds: float
    _accepted: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def wait(self, key: str, now: float) -> float:
        """0 if a send under `key` may go at `now`, else the seconds until one may."""
        times = self._accepted[key]
        while times and now - times[0] >= self.seconds:
            times.popleft()
        if len(times) < self.count:
            return 0.0
        return self.seconds - (now - times[-self.count])

    def record(self, key: str, now: float) -> None:
        self._accepted[key].append(now)

    def used(self, key: str, now: float) -> int:
        """How many sends under `key` are in the window ending at `now`."""
        self.wait(key, now)
        return len(self._accepted[key])

    def oldest(self, key: str) -> float | None:
        times = self._accepted[key]
        return times[0] if times else None


def admit(checks: Sequence[tuple[Window, str]], now: float | None = None) -> float:
    """Check every (window, key) at once: 0 and each recorded, or the longest wait and none."""
    at = time.monotonic() if now is None else now
    wait = max((window.wait(key, at) for window, key in checks), default=0.0)
    if wait > 0:
        return wait
    for window, key in checks:
        window.record(key, at)
    return 0.0


@dataclass
class SendLog:
    """Every send request a fake answered: when (monotonic), and whether it was refused (429)."""

    requests: list[tuple[float, bool]] = field(default_factory=list)

    def note(self, now: float, *, limited: bool) -> None:
        self.requests.append((now, limited))

    @property
    def times(self) -> list[float]:
        return [at for at, _ in self.requests]

    @property
    def accepted(self) -> list[float]:
        return [at for at, limited in self.requests if not limited]

    @property
    def limited(self) -> int:
        return sum(1 for _, limited in self.requests if limited)


def max_in_window(times: Sequence[float], seconds: float = 1.0) -> int:
    """The most timestamps found in any window `seconds` long (half-open, like `Window`)."""
    ordered = sorted(times)
    best = start = 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best
