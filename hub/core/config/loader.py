"""Loads community YAML files into typed configs, reporting every problem at once.

Each problem names the file, line and column, the key path, what was expected and a hint. Nothing
is returned unless every file is valid, so a process never starts on half a configuration.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.fields import FieldInfo

from hub.core.config.interpolation import Source, interpolate
from hub.core.config.models import HubConfig, SecretRule

C = TypeVar("C", bound=HubConfig)
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


@dataclass(frozen=True, slots=True)
class LoadedConfig(Generic[C]):
    """A validated community config and the file it came from."""

    source: Path
    config: C


@dataclass
class _Document:
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
        at = self.key_positions.get(path) if at_key else None
        line, column = at if at is not None else self.position(path)
        return ConfigIssue(self.file, line, column, ".".join(str(p) for p in path), message, hint)

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
                if len(value) >= _HIDDEN_MIN:
                    text = text.replace(value, f"[value from ${{{name}}} not shown]")
        return text

    def position(self, path: Key) -> tuple[int | None, int | None]:
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return None, None


def config_files(path: Path) -> list[Path]:
    """The file itself, or a folder's *.yaml and *.yml files in name order."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise ConfigError(
                [ConfigIssue(str(path), None, None, "", "no .yaml or .yml file in this folder")]
            )
        return files
    if not path.is_file():
        raise ConfigError([ConfigIssue(str(path), None, None, "", "no such file or folder")])
    return [path]


def load_configs(path: Path, model: type[C], env: Mapping[str, str]) -> list[LoadedConfig[C]]:
    """Parse, interpolate, validate and cross-check every file; raise ConfigError on any problem."""
    issues: list[ConfigIssue] = []
    loaded: list[LoadedConfig[C]] = []
    for file in config_files(path):
        document = _parse(file, env)
        config = _validate(document, model) if document.data is not None else None
        issues += document.issues
        if config is not None and not document.issues:
            loaded.append(LoadedConfig(file, config))
    issues += _check_together(loaded)
    if issues:
        raise ConfigError(issues)
    return loaded


def _parse(file: Path, env: Mapping[str, str]) -> _Document:
    document = _Document(str(file))
    try:
        root = yaml.compose(file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        document.issues.append(
            ConfigIssue(str(file), line, column, "", f"invalid YAML: {error.problem}")
        )
        return document
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        document.issues.append(
            ConfigIssue(str(file), None, None, "", f"cannot read the file: {error}")
        )
        return document
    if not isinstance(root, yaml.MappingNode):
        document.issues.append(
            ConfigIssue(str(file), 1, 1, "", "expected a mapping with a 'community' section")
        )
        return document
    document.data = _build(root, (), document, env)
    return document


def _build(node: yaml.Node, path: Key, document: _Document, env: Mapping[str, str]) -> Any:
    document.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, document, env)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), document, env) for i, item in enumerate(node.value)]
    value = yaml.SafeLoader("").construct_object(node)
    if isinstance(value, str):
        return _interpolate(value, path, document, env)
    return value


def _build_mapping(
    node: yaml.MappingNode, path: Key, document: _Document, env: Mapping[str, str]
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        child = (*path, key)
        document.key_positions[child] = (
            key_node.start_mark.line + 1,
            key_node.start_mark.column + 1,
        )
        if key in result:
            document.issues.append(
                document.issue(
                    child, f"duplicate key '{key}'", "keep only one of them", at_key=True
                )
            )
            continue
        result[key] = _build(value_node, child, document, env)
    return result


def _interpolate(value: str, path: Key, document: _Document, env: Mapping[str, str]) -> Any:
    result, source = interpolate(value, env)
    if source is None:
        return result
    document.sources[path] = source
    for name in source.missing:
        document.reported.add(path)
        document.issues.append(
            document.issue(
                path,
                f"environment variable {name} is not set",
                f"export {name}=… or write ${{{name}:-default}}",
            )
        )
    return result


def _validate(document: _Document, model: type[C]) -> C | None:
    document.issues += _secret_issues(document, model, document.data, ())
    document.issues += _reference_issues(document, document.data)
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        errors = [
            e for e in error.errors(include_url=False) if tuple(e["loc"]) not in document.reported
        ]
        document.issues += [_translate(document, model, e) for e in errors]
        return None


def _translate(document: _Document, model: type[BaseModel], error: Any) -> ConfigIssue:
    path: Key = tuple(error["loc"])
    kind, message = error["type"], str(error["msg"]).removeprefix("Value error, ")
    if kind.startswith("secret_"):
        names = document.env_names(path) or ["the secret"]
        return document.issue(path, f"{names[0]} {message}", error["ctx"].get("hint") or None)
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, path[:-1])
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else f"allowed keys: {', '.join(allowed)}"
            if allowed
            else None
        )
        return document.issue(path, f"unknown key '{path[-1]}'", hint, at_key=True)
    if kind == "missing":
        return document.issue(path, f"missing required key '{path[-1]}'")
    if kind in ("literal_error", "enum", "string_pattern_mismatch") or kind.endswith(
        ("_type", "_parsing")
    ):
        return document.issue(path, f"{message}{_got(document, path, error.get('input'))}")
    return document.issue(path, document.hide(path, message))


def _got(document: _Document, path: Key, value: Any) -> str:
    """What was given, unless the environment gave it (a token in the wrong variable…)."""
    names = document.env_names(path)
    if names:
        return f" (value from {', '.join(f'${{{n}}}' for n in names)} not shown)"
    return f", got {value!r}"


def _allowed_keys(model: type[BaseModel], path: Key) -> list[str]:
    current: Any = model
    for part in path:
        current = _child_type(current, part)
        if current is None:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(current.model_fields)
    return []


def _child_type(current: Any, part: str | int) -> Any:
    if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
        field = current.model_fields.get(part)
        return _unwrap(field.annotation) if field is not None else None
    return None


def _unwrap(annotation: Any) -> Any:
    for argument in getattr(annotation, "__args__", ()):
        if isinstance(argument, type) and issubclass(argument, BaseModel):
            return argument
    return annotation


def _secret_issues(document: _Document, model: Any, data: Any, path: Key) -> list[ConfigIssue]:
    """Secrets not read whole from the environment, or read empty, found by walking the model
    beside the raw data; every SecretStr field of every section is checked the same way."""
    if not (isinstance(model, type) and issubclass(model, BaseModel) and isinstance(data, dict)):
        return []
    issues: list[ConfigIssue] = []
    for name, info in model.model_fields.items():
        child = (*path, name)
        if data.get(name) is None or child in document.reported:
            continue
        if _is_secret(info.annotation):
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            env_name = str(extra.get("env") or "_".join(str(p) for p in child[1:]).upper())
            found = _secret_issue(document, child, data[name], env_name, info)
            if found is not None:
                document.reported.add(child)
                issues.append(found)
        else:
            issues += _secret_issues(document, _unwrap(info.annotation), data[name], child)
    return issues


def _secret_issue(
    document: _Document, path: Key, value: Any, env_name: str, info: FieldInfo
) -> ConfigIssue | None:
    """Why this secret's value cannot be trusted, if it cannot: see decision 011."""
    source = document.sources.get(path) or Source()
    write = f"write ${{{env_name}}} and set {env_name} in the environment"
    blank = isinstance(value, str) and not value.strip()
    if source.has_default:
        message = "a secret cannot have a default: ${VAR:-…} would keep a secret in the file"
    elif source.names and not source.single_reference:
        message = "a secret must be exactly one ${VAR}, with nothing written around it"
    elif not source.from_env:
        literal = "a secret must come from the environment, not the YAML file"
        message = "a secret cannot be empty" if blank else literal
    elif blank:
        name, rule = source.read[0], _rule_of(info.annotation, info.metadata)
        hint = rule.hint if rule is not None and rule.hint else f"set {name} to the real value"
        unset = "" if info.is_required() else "; or remove the key to leave it unset"
        return document.issue(
            path, f"{name} is empty; an empty secret would switch authentication off", hint + unset
        )
    else:
        return None
    return document.issue(path, message, write)


def _rule_of(annotation: Any, metadata: list[Any]) -> SecretRule | None:
    """The SecretRule a secret field is annotated with, if any (also inside `… | None`)."""
    for item in metadata:
        if isinstance(getattr(item, "func", None), SecretRule):
            return typing.cast(SecretRule, item.func)
    for argument in typing.get_args(annotation):
        if typing.get_origin(argument) is typing.Annotated:
            found = _rule_of(None, list(typing.get_args(argument)[1:]))
            if found is not None:
                return found
    return None


def _is_secret(annotation: Any) -> bool:
    """SecretStr, possibly optional and annotated with a SecretRule."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_secret(typing.get_args(annotation)[0])
    if annotation is SecretStr:
        return True
    return any(_is_secret(argument) for argument in typing.get_args(annotation))


def _reference_issues(document: _Document, data: Any) -> list[ConfigIssue]:
    """Rituals may only name spaces that some platform declares."""
    platforms = data.get("platforms") if isinstance(data, dict) else None
    rituals = data.get("rituals") if isinstance(data, dict) else None
    if not isinstance(rituals, dict):
        return []
    declared = sorted(
        {
            name
            for p in (platforms or {}).values()
            if isinstance(p, dict) and isinstance(p.get("spaces"), dict)
            for name in p["spaces"]
        }
    )
    issues: list[ConfigIssue] = []
    for ritual, section in rituals.items():
        spaces = section.get("spaces") if isinstance(section, dict) else None
        for index, space in enumerate(spaces if isinstance(spaces, list) else []):
            if isinstance(space, str) and space not in declared:
                issues.append(
                    document.issue(
                        ("rituals", ritual, "spaces", index),
                        f"unknown space '{space}'",
                        _space_hint(space, declared),
                    )
                )
    return issues


def _space_hint(space: str, declared: list[str]) -> str:
    close = difflib.get_close_matches(space, declared, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    if declared:
        return f"declared spaces: {', '.join(declared)}"
    return "declare it under platforms.<platform>.spaces"


def _check_together(loaded: list[LoadedConfig[C]]) -> list[ConfigIssue]:
    """One hub serves every file: community ids are unique, process sections agree."""
    issues: list[ConfigIssue] = []
    seen: dict[str, Path] = {}
    for item in loaded:
        community = item.config.community.id
        if community in seen:
            issues.append(
                ConfigIssue(
                    str(item.source),
                    None,
                    None,
                    "community.id",
                    f"community id '{community}' is also used by {seen[community]}",
                    "give each community its own id",
                )
            )
        seen.setdefault(community, item.source)
        first = loaded[0]
        for section in ("server", "storage", "broker"):
            if getattr(item.config, section) != getattr(first.config, section):
                issues.append(
                    ConfigIssue(
                        str(item.source),
                        None,
                        None,
                        section,
                        f"differs from {first.source}; one hub runs every community with the same '{section}' section",
                        "write it identically in every file",
                    )
                )
    return issues
