"""Where the webchat secret comes from when a community file does not set one.

The secret keys the hash under which members' session tokens are kept, so it must be stable
(a new one signs everybody out) and known to nobody else. Order: `platforms.webchat.secret`,
then `$WEBCHAT_SECRET`, then, for `hub run` on embedded defaults only, a random one kept in
var/webchat.secret (mode 0600) so sessions survive restarts. Anything else is left unset, and
the web process refuses to start (see the webchat listener).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from hub.core.config.loader import LoadedConfig
from hub.core.config.models import HubConfig
from hub.core.ports import StartupError

SECRET_FILE = Path("var/webchat.secret")
MIN_LENGTH = 32


def with_webchat_secret(
    configs: list[LoadedConfig[HubConfig]], from_env: str | None, keep_in: Path | None
) -> list[LoadedConfig[HubConfig]]:
    """The configs, with a secret in every webchat section that lacks one, where one is found."""
    lacking = [i for i, loaded in enumerate(configs) if _lacks_secret(loaded.config)]
    if not lacking:
        return configs
    if from_env == "":
        raise StartupError("WEBCHAT_SECRET is set but empty: give it a long random value")
    value = from_env if from_env is not None else kept_secret(keep_in) if keep_in else None
    if value is None:
        return configs
    return [
        LoadedConfig(loaded.source, _with_secret(loaded.config, value)) if i in lacking else loaded
        for i, loaded in enumerate(configs)
    ]


def kept_secret(path: Path) -> str:
    """The secret kept at `path`, made (random, readable by the owner only) the first time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text(encoding="ascii").strip()
        if len(value) < MIN_LENGTH:
            raise StartupError(
                f"{path} is damaged (too short): delete it to make a new one, which signs every "
                "webchat member out, or set WEBCHAT_SECRET"
            ) from None
        return value
    value = secrets.token_urlsafe(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(value + "\n")
    return value


def _webchat(config: HubConfig) -> object | None:
    return config.platform_sections().get("webchat")


def _lacks_secret(config: HubConfig) -> bool:
    section = _webchat(config)
    return section is not None and getattr(section, "secret", None) is None


def _with_secret(config: HubConfig, value: str) -> HubConfig:
    platforms = config.platforms
    section = platforms.webchat.model_copy(update={"secret": SecretStr(value)})
    return config.model_copy(
        update={"platforms": platforms.model_copy(update={"webchat": section})}
    )
