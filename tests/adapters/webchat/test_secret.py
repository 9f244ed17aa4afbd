"""The webchat secret has no default: `hub run` keeps one of its own, `hub serve` needs one."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import urllib.request
from pathlib import Path

import yaml

from tests.builders import COMMUNITY_YAML, HUB, free_port, hub_run, wait_healthy, write_config

NO_SECRET = COMMUNITY_YAML.replace("    secret: ${WEBCHAT_SECRET:-test-secret}\n", "")
ROOM = "/chat/inside-freelancing/main"


def post(url: str, path: str, body: object, token: str | None = None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{url}{ROOM}/{path}", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, str] = json.loads(response.read())
        return answer


def environment(**extra: str) -> dict[str, str]:
    unset = ("REDIS_URL", "DATABASE_URL", "HUB_CONFIG", "WEBCHAT_SECRET")
    return {**{k: v for k, v in os.environ.items() if k not in unset}, **extra}


def test_hub_run_on_embedded_defaults_keeps_its_own_secret_across_restarts(tmp_path: Path) -> None:
    assert "secret" not in NO_SECRET
    config = write_config(tmp_path, NO_SECRET)
    kept = tmp_path / "var" / "webchat.secret"
    with hub_run(config, tmp_path, keep_var=True) as url:
        token = post(url, "join", {"name": "Zoé"})["token"]
    secret = kept.read_text().strip()
    assert len(secret) >= 43
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert secret not in (tmp_path / "hub.log").read_text()

    with hub_run(config, tmp_path, keep_var=True) as url:
        assert post(url, "ticket", {}, token)["name"] == "Zoé"  # the session survived
    assert kept.read_text().strip() == secret
    assert secret not in (tmp_path / "hub.log").read_text()


def test_hub_serve_without_a_secret_refuses_to_start_naming_the_variable(
    tmp_path: Path, redis_url: str, redis_client: object
) -> None:
    config = write_config(tmp_path, NO_SECRET)
    env = environment(REDIS_URL=redis_url, DATABASE_URL=f"sqlite:///{tmp_path}/hub.db")
    upgrade = [HUB, "db", "upgrade", "--config", str(config)]
    subprocess.run(upgrade, cwd=tmp_path, env=env, check=True, timeout=60)
    port = str(free_port())
    result = subprocess.run(
        [HUB, "serve", "--config", str(config), "--port", port],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "Cannot start: the webchat of inside-freelancing has no secret" in result.stderr
    assert "set WEBCHAT_SECRET" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "var" / "webchat.secret").exists()

    # With the variable set, the same command serves (and never prints the value).
    secret = "a-long-random-value-0123456789-abcdefghijkl"
    process = subprocess.Popen(
        [HUB, "serve", "--config", str(config), "--port", port],
        cwd=tmp_path,
        env={**env, "WEBCHAT_SECRET": secret},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process)
        post(f"http://127.0.0.1:{port}", "join", {"name": "Zoé"})
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert secret.encode() not in output


def test_compose_requires_the_secret_and_gives_it_no_default() -> None:
    compose = yaml.safe_load(Path("docker-compose.yml").read_text(encoding="utf-8"))
    value = compose["x-hub"]["environment"]["WEBCHAT_SECRET"]
    assert re.fullmatch(r"\$\{WEBCHAT_SECRET:\?[^}]*WEBCHAT_SECRET[^}]*\}", value), value
