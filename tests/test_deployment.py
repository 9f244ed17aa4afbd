"""docker-compose.yml starts: each hub service's own command, with its own environment, gets healthy.

There is no Docker engine here, so the test plays the engine's part, as literally as it can:
it reads the compose file, interpolates `${…}` from a test `.env`, and runs every hub service's
`command` and healthcheck `test` as real processes. The only translations, all explicit below:
the hosts `postgres` and `redis` become the test's own servers (a fresh database), the mounted
`HUB_CONFIG` becomes the repository folder the volume names, `hub`/`python` become this
environment's, and port 8080 becomes a free port.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
import sqlalchemy as sa
import yaml

from hub.cli import app
from tests.builders import HUB, free_port, wait_for

REPO = Path(__file__).resolve().parent.parent
HUB_SERVICES = ("web", "worker", "scheduler", "gateway")
# What an owner writes in .env (dummy, valid values); the example community needs no other.
DOTENV = {"WEBCHAT_SECRET": secrets.token_hex(32), "POSTGRES_PASSWORD": secrets.token_hex(24)}
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")


class MissingVariable(Exception):
    """A `${VAR:?message}` whose variable is unset: compose refuses to start."""


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`."""

    def one(match: re.Match[str]) -> str:
        op, value = match["op"] or "", env.get(match["name"])
        missing = value is None or (op.startswith(":") and not value)
        if missing and op.endswith("?"):
            raise MissingVariable(f"{match['name']}: {match['arg']}")
        if missing and op.endswith("-"):
            return match["arg"]
        return value or ""

    return VARIABLE.sub(one, text)


def load_compose() -> dict[str, Any]:
    return dict(yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8")))


def service_env(service: dict[str, Any], dotenv: Mapping[str, str]) -> dict[str, str]:
    """The container's environment: the env_file (.env), then `environment` over it."""
    return {**dotenv, **{k: interpolate(str(v), dotenv) for k, v in service["environment"].items()}}


def on_this_machine(
    env: dict[str, str], service: dict[str, Any], database_url: str, redis_url: str
) -> dict[str, str]:
    """The translation of the compose network and volume to this test's servers and checkout."""
    compose_db = sa.make_url(env["DATABASE_URL"])
    assert compose_db.host == "postgres" and compose_db.drivername == "postgresql+psycopg"
    assert urlsplit(env["REDIS_URL"]).hostname == "redis"
    mounts = [volume.split(":") for volume in service["volumes"]]
    (host_folder,) = [
        REPO / host / env["HUB_CONFIG"].removeprefix(inside).lstrip("/")
        for host, inside, *_ in mounts
        if env["HUB_CONFIG"] == inside or env["HUB_CONFIG"].startswith(inside + "/")
    ]
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    return {
        **base,
        **env,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "HUB_CONFIG": str(host_folder),
    }


def argv(args: list[str], port: int) -> list[str]:
    """A container's argv here: this environment's programs, loopback, and the free port."""
    programs = {"hub": HUB, "python": sys.executable}
    return [
        programs.get(a, a).replace("0.0.0.0", "127.0.0.1").replace("8080", str(port)) for a in args
    ]


def healthcheck(service: dict[str, Any], port: int) -> list[str]:
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD", "exec form, so the test runs the very command"
    return argv(test[1:], port)


def passes(command: list[str], env: dict[str, str], cwd: Path) -> bool:
    return (
        subprocess.run(command, env=env, cwd=cwd, capture_output=True, timeout=30).returncode == 0
    )


@pytest.fixture
def started(tmp_path: Path) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """The services' processes by name; whatever is still running at the end is killed."""
    processes: dict[str, subprocess.Popen[bytes]] = {}
    yield processes
    for name, process in processes.items():
        if process.poll() is None:
            process.kill()
            process.wait()
        print(f"--- {name}\n" + (tmp_path / f"{name}.log").read_text(errors="replace")[-5000:])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_every_compose_service_starts_gets_healthy_and_stops_cleanly(
    tmp_path: Path,
    database_url: str,
    redis_url: str,
    redis_client: redis.Redis,
    started: dict[str, subprocess.Popen[bytes]],
) -> None:
    services, port = load_compose()["services"], free_port()
    env = {
        name: on_this_machine(
            service_env(services[name], DOTENV), services[name], database_url, redis_url
        )
        for name in ("migrate", *HUB_SERVICES)
    }
    migrate = subprocess.run(
        argv(services["migrate"]["command"], port),
        env=env["migrate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]

    for name in HUB_SERVICES:
        with (tmp_path / f"{name}.log").open("wb") as log:
            started[name] = subprocess.Popen(
                argv(services[name]["command"], port),
                env=env[name],
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    for name in HUB_SERVICES:
        check = healthcheck(services[name], port)

        def healthy(name: str = name, check: list[str] = check) -> bool:
            assert started[name].poll() is None, f"{name} exited with {started[name].returncode}"
            return passes(check, env[name], tmp_path)

        wait_for(healthy, 50, f"{name}'s healthcheck to pass")
    assert all(process.poll() is None for process in started.values())

    for process in started.values():
        process.send_signal(signal.SIGTERM)
    for name, process in started.items():
        # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status says why
        clean = {0, -signal.SIGTERM} if name == "web" else {0}
        assert process.wait(timeout=30) in clean, f"{name} did not stop cleanly on SIGTERM"
    assert "Application shutdown complete" in (tmp_path / "web.log").read_text()
    gateway_log = (tmp_path / "gateway.log").read_text()
    assert gateway_log.count("gateway.nothing_to_hold") == 1
    for name in ("worker", "scheduler", "gateway"):  # a stopped process is unhealthy at once
        assert not passes(healthcheck(services[name], port), env[name], tmp_path), name


def test_compose_refuses_to_start_without_its_secrets_and_defaults_none() -> None:
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    defaults = [m[0] for m in VARIABLE.finditer(text) if (m["op"] or "").endswith("-")]
    assert defaults == [], "a default in the compose file is a public value"
    hub_service = load_compose()["services"]["web"]
    for name in DOTENV:
        with pytest.raises(MissingVariable, match=name):
            service_env(hub_service, {k: v for k, v in DOTENV.items() if k != name})


def test_compose_runs_each_role_with_a_real_hub_command_and_checks_its_health() -> None:
    services = load_compose()["services"]
    assert {"postgres", "redis", "migrate", *HUB_SERVICES} <= set(services)
    known = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    known |= {group.name for group in app.registered_groups if group.name}
    for name in ("migrate", *HUB_SERVICES):
        command = services[name]["command"]
        assert command[0] == "hub" and command[1] in known, name
    for name in ("worker", "scheduler", "gateway"):
        assert services[name]["healthcheck"]["test"][1:] == ["hub", "health", name]
    assert services["web"]["healthcheck"]["test"][-1].count("/healthz") == 1
    postgres = services["postgres"]["environment"]
    url = sa.make_url(service_env(services["web"], DOTENV)["DATABASE_URL"])
    assert (url.username, url.password, url.database) == (
        postgres["POSTGRES_USER"],
        interpolate(postgres["POSTGRES_PASSWORD"], DOTENV),
        postgres["POSTGRES_DB"],
    )


def test_the_readme_validate_command_accepts_the_communities_folder(tmp_path: Path) -> None:
    command = "hub validate --config config/communities/"
    assert command in (REPO / "README.md").read_text(encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    result = subprocess.run(
        [HUB, *command.split()[1:]],
        env={**base, **DOTENV},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Inside Freelancing" in result.stdout
