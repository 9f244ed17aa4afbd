"""Loads community YAML files into typed configs, reporting every problem at once.

Each problem names the file, line and column, the key path, what was expected and a hint. Nothing
is returned unless every file is valid, so a process never starts on half a configuration.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hub.core.config.document import ConfigError, ConfigIssue, Document, Key, model_of
from hub.core.config.interpolation import interpolate
from hub.core.config.models import HubConfig
from hub.core.config.secret_checks import secret_issues
from hub.core.config.text_checks import text_issues

__all__ = ["ConfigError", "ConfigIssue", "LoadedConfig", "config_files", "load_configs"]

C = TypeVar("C", bound=HubConfig)


@dataclass(frozen=True, slots=True)
class LoadedConfig(Generic[C]):
    """A validated community config and the file it came from."""

    source: Path
    config: C


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


def _parse(file: Path, env: Mapping[str, str]) -> Document:
    document = Document(str(file))
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


def _build(node: yaml.Node, path: Key, document: Document, env: Mapping[str, str]) -> Any:
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
    node: yaml.MappingNode, path: Key, document: Document, env: Mapping[str, str]
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


def _interpolate(value: str, path: Key, document: Document, env: Mapping[str, str]) -> Any:
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


def _validate(document: Document, model: type[C]) -> C | None:
    document.issues += secret_issues(document, model, document.data, ())
    document.issues += _reference_issues(document, document.data)
    document.issues += text_issues(document, document.data)
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        errors = [
            e for e in error.errors(include_url=False) if tuple(e["loc"]) not in document.reported
        ]
        document.issues += [_translate(document, model, e) for e in errors]
        return None


def _translate(document: Document, model: type[BaseModel], error: Any) -> ConfigIssue:
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
    if kind in (
        "literal_error",
        "enum",
        "string_pattern_mismatch",
        "unknown_locale",
    ) or kind.endswith(("_type", "_parsing")):
        return document.issue(path, f"{message}{_got(document, path, error.get('input'))}")
    return document.issue(path, message)


def _got(document: Document, path: Key, value: Any) -> str:
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
        return model_of(field.annotation) if field is not None else None
    return None


def _reference_issues(document: Document, data: Any) -> list[ConfigIssue]:
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
