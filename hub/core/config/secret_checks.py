"""Secrets in a community file: exactly one `${VAR}` read from the environment, never empty.

Every SecretStr field of every section is checked here, whichever adapter declares it, by walking
the model beside the raw data; each platform's own strength rule is a `SecretRule` on its field.
See decision 011.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from hub.core.config.document import ConfigIssue, Document, Key, model_of
from hub.core.config.interpolation import Source
from hub.core.config.models import SecretRule


def secret_issues(document: Document, model: Any, data: Any, path: Key) -> list[ConfigIssue]:
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
            issues += secret_issues(document, model_of(info.annotation), data[name], child)
    return issues


def _secret_issue(
    document: Document, path: Key, value: Any, env_name: str, info: FieldInfo
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
