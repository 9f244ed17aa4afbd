"""Which ritual owns which verb: commands are routed to their owner, not broadcast.

Every enabled ritual declares its verbs (`commands`, `admin_commands`, some of two words, like
`points adjust`); the registry is built once per community, when its runtime is. A verb that two
rituals claim is an error at start-up (`VerbClaimedTwice`), never a race at run time. A command
reaches the ritual owning its longest matching verb (`spotlight queue` before `spotlight`); one
that no ritual claims goes, by the registry's one explicit rule, to `UNCLAIMED_VERBS_GO_TO` (the
help ritual answers it with "unknown command").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

UNCLAIMED_VERBS_GO_TO = "help"
"""The ritual that hears every command no ritual claims (when it is enabled)."""


class DeclaresVerbs(Protocol):
    """What the registry reads of a ritual."""

    @property
    def name(self) -> str: ...

    @property
    def commands(self) -> Mapping[str, Mapping[str, str]]: ...

    @property
    def admin_commands(self) -> Mapping[str, Mapping[str, str]]: ...


class VerbClaimedTwice(ValueError):
    """Two enabled rituals declare the same verb: the hub refuses to start."""

    def __init__(self, verb: str, first: str, second: str) -> None:
        super().__init__(
            f"the verb {verb!r} is claimed by two rituals, {first!r} and {second!r}: "
            "disable one of them or rename its verb"
        )
        self.verb, self.rituals = verb, (first, second)


@dataclass(frozen=True, slots=True)
class VerbRegistry:
    """Verbs (one or two words) and the ritual owning each, for one community."""

    owners: Mapping[str, str]
    unclaimed_to: str | None = None

    @classmethod
    def of(cls, rituals: Iterable[DeclaresVerbs]) -> VerbRegistry:
        """The registry of these rituals; raises `VerbClaimedTwice` on a verb claimed twice."""
        owners: dict[str, str] = {}
        names: set[str] = set()
        for ritual in rituals:
            names.add(ritual.name)
            for verb in (*ritual.commands, *ritual.admin_commands):
                first = owners.setdefault(verb, ritual.name)
                if first != ritual.name:
                    raise VerbClaimedTwice(verb, first, ritual.name)
        fallback = UNCLAIMED_VERBS_GO_TO if UNCLAIMED_VERBS_GO_TO in names else None
        return cls(owners=owners, unclaimed_to=fallback)

    def owner_of(self, name: str, args: tuple[str, ...] = ()) -> str | None:
        """The ritual that hears `/hub name args…`: the longest verb it starts with, or the
        ritual of unclaimed verbs."""
        two_words = f"{name} {args[0].lower()}" if args else None
        for verb in (two_words, name):
            if verb is not None and verb in self.owners:
                return self.owners[verb]
        return self.unclaimed_to

    def claims(self, verb: str) -> bool:
        """Whether some ritual declares `verb`."""
        return verb in self.owners
