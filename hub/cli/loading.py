"""From `--config` to a validated configuration or a composed hub, logging redacted from line one."""

from __future__ import annotations

import atexit
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from hub.bootstrap import Hub, build_hub, load_config
from hub.cli.console import err, plain, print_issues, refuse
from hub.core.config.loader import ConfigError, LoadedConfig
from hub.core.config.models import HubConfig
from hub.core.ports import StartupError
from hub.logs import configure_logging, redact_also

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="A community YAML file or a folder of them (default: $HUB_CONFIG)."
    ),
]


def config_path(config: Path | None) -> Path:
    """The path given, else $HUB_CONFIG; exit 1 saying how when there is neither."""
    path = config or (Path(os.environ["HUB_CONFIG"]) if os.environ.get("HUB_CONFIG") else None)
    if path is None:
        err.print("[red]No config given[/red]: pass --config FILE|DIR or set HUB_CONFIG.")
        raise typer.Exit(1)
    return path


def validated(config: Path | None) -> list[LoadedConfig[HubConfig]]:
    """Every community file, validated; on any problem print them all and exit 1."""
    try:
        return load_config(config_path(config))
    except ConfigError as error:
        print_issues(error)
        raise typer.Exit(1) from None
    except Exception as error:  # never a traceback for an owner
        message = f"{type(error).__name__}: {error}"
        err.print(Text("Could not read the configuration: ", "red") + plain(message))
        raise typer.Exit(1) from None


def load(config: Path | None, *, keep_secret: bool = False) -> Hub:
    """Validate, then compose the hub, logging (structured, redacted) from its first line.

    What this process started for itself (the embedded redis-server) stops when it exits.
    """
    configs = validated(config)
    configure_logging([*_secrets(configs), *_url_passwords(*_configured_urls(configs))])
    try:
        hub = build_hub(configs, keep_secret=keep_secret)
    except StartupError as error:
        refuse(error)
    # A secret the hub made itself (the webchat's, under var/) is known only now.
    redact_also([*_secrets(hub.configs), *_url_passwords(hub.database.url, hub.redis_url)])
    atexit.register(hub.close)
    return hub


def _configured_urls(configs: Sequence[LoadedConfig[HubConfig]]) -> list[str]:
    """The connection URLs the hub may use, before it is built (their passwords are secrets)."""
    settings = configs[0].config
    found = [os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")]
    return [url for url in (*found, settings.storage.url, settings.broker.url) if url]


def _secrets(configs: Sequence[object]) -> list[str]:
    """Every secret value in the configs, so the logs can redact them."""
    from pydantic import BaseModel, SecretStr

    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    for loaded in configs:
        walk(getattr(loaded, "config", None))
    return found


def _url_passwords(*urls: str) -> list[str]:
    """Passwords inside connection URLs, which must not reach the logs either."""
    from urllib.parse import urlsplit

    return [password for url in urls if (password := urlsplit(url).password)]
