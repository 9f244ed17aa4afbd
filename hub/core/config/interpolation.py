"""`${VAR}` and `${VAR:-default}` in YAML strings, and how each value was made.

How a value was made decides two things: a secret must be exactly one `${VAR}` read from the
environment (no default that could hold a secret written in the file, nothing written around
it), and an error about a value the environment supplied never prints that value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_VARIABLE = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True, slots=True)
class Source:
    """How one string was written and filled in.

    `read`: variables whose value from the environment is part of the result; `missing`: variables
    neither set nor defaulted; `defaulted`: unset variables whose written default was used;
    `has_default`: a `:-default` is written, used or not; `literal`: text is written around the
    references (or a `$${` escape). `values` holds what the environment supplied, so errors can
    hide it; it never appears in a repr.
    """

    read: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    defaulted: tuple[str, ...] = ()
    has_default: bool = False
    literal: bool = False
    values: tuple[str, ...] = field(default=(), repr=False)

    @property
    def from_env(self) -> bool:
        """Whether any part of the result came from the environment."""
        return bool(self.read)

    @property
    def names(self) -> tuple[str, ...]:
        """Every variable referenced, in order of appearance."""
        return (*self.read, *self.missing, *self.defaulted)

    @property
    def single_reference(self) -> bool:
        """Exactly `${VAR}`: one variable, no default, nothing written around it."""
        return len(self.names) == 1 and not self.has_default and not self.literal


def interpolate(value: str, env: Mapping[str, str]) -> tuple[str, Source | None]:
    """The string with its references filled in, and how it was made (None when it has none)."""
    if "${" not in value:
        return value, None
    read: list[str] = []
    missing: list[str] = []
    defaulted: list[str] = []
    values: list[str] = []
    escaped = has_default = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal escaped, has_default
        if match.group(0) == "$${":
            escaped = True
            return "${"
        name, default = match.group(1), match.group(2)
        has_default = has_default or default is not None
        if name in env:
            read.append(name)
            values.append(env[name])
            return env[name]
        (defaulted if default is not None else missing).append(name)
        return default or ""

    result = _VARIABLE.sub(substitute, value)
    literal = escaped or bool(_VARIABLE.sub("", value))
    return result, Source(
        tuple(read), tuple(missing), tuple(defaulted), has_default, literal, tuple(values)
    )
