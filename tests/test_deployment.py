"""docker-compose.yml runs the documented processes with the documented commands."""

from __future__ import annotations

from pathlib import Path

import yaml

from hub.cli import app


def test_compose_runs_each_role_with_a_real_hub_command() -> None:
    compose = yaml.safe_load(Path("docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "web", "worker", "scheduler"} <= set(services)
    known = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    known |= {group.name for group in app.registered_groups if group.name}
    for name in ("migrate", "web", "worker", "scheduler"):
        command = services[name]["command"]
        assert command[0] == "hub" and command[1] in known, name
    assert services["web"]["healthcheck"]["test"][-1].count("/healthz") == 1
    hub_env = compose["x-hub"]["environment"]
    assert hub_env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert hub_env["REDIS_URL"].startswith("redis://")
