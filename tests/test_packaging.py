"""The installable package (what the Docker image gets) carries migrations, templates and pages."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path


def test_the_wheel_ships_everything_the_hub_loads_at_run_time(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path),
            ".",
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "hub/adapters/webchat/page.html",
        "hub/core/storage/migrations/env.py",
        "hub/core/storage/migrations/script.py.mako",
        "hub/core/storage/migrations/versions/0001_initial_schema.py",
        "workers/actors.py",
    } <= names
