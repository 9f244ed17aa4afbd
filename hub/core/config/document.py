"""One parsed community file, and the problems found in it, each where an owner can act on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from hub.core.config.interpolation import Source

Key = tuple[str | int, ...]
_HIDDEN_MIN = 4  # shorter values from the environment would mask ordinary words in messages


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    """One problem in one file, in a form an owner can act on."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file + "".join(f":{n}" for n in (self.line, self.column) if n is not None)
        key = f" {self.path}:" if self.path else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}:{key} {self.message}{hint}"


class ConfigError(Exception):
    """Every problem found in the configuration."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues


@dataclass
class Document:
    """A parsed file: plain data, the position of every key path, and how each string was made.

    `reported`: paths whose problem is already told (an unset variable, a secret written in the
    file), so validation does not tell it again in other words.
    """

    file: str
    data: Any = None
    positions: dict[Key, tuple[int, int]] = field(default_factory=dict)
    sources: dict[Key, Source] = field(default_factory=dict)
    issues: list[ConfigIssue] = field(default_factory=list)
    reported: set[Key] = field(default_factory=set)
    key_positions: dict[Key, tuple[int, int]] = field(default_factory=dict)

    def issue(
        self, path: Key, message: str, hint: str | None = None, *, at_key: bool = False
    ) -> ConfigIssue:
        """An issue at `path`; a value the environment supplied around it is never in its text."""
        at = self.key_positions.get(path) if at_key else None
        line, column = at if at is not None else self.position(path)
        where = ".".join(str(p) for p in path)
        hint = self.hide(path, hint) if hint is not None else None
        return ConfigIssue(self.file, line, column, where, self.hide(path, message), hint)

    def env_sources(self, path: Key) -> list[Source]:
        """What the environment filled in at `path`, inside it, or in a section holding it."""
        return [
            source
            for key, source in self.sources.items()
            if source.from_env and (key[: len(path)] == path or path[: len(key)] == key)
        ]

    def env_names(self, path: Key) -> list[str]:
        """The variables read from the environment at, inside or around `path`."""
        return list(dict.fromkeys(n for source in self.env_sources(path) for n in source.read))

    def hide(self, path: Key, text: str) -> str:
        """`text` with every value the environment supplied around `path` masked."""
        for source in self.env_sources(path):
            for name, value in zip(source.read, source.values, strict=True):
                if len(value.strip()) >= _HIDDEN_MIN:
                    text = text.replace(value, f"[value from ${{{name}}} not shown]")
        return text

    def position(self, path: Key) -> tuple[int | None, int | None]:
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return None, None


def model_of(annotation: Any) -> Any:
    """The section model inside an annotation (`Model | None` → Model), else the annotation."""
    for argument in getattr(annotation, "__args__", ()):
        if isinstance(argument, type) and issubclass(argument, BaseModel):
            return argument
    return annotation
