"""The Docker image: dependencies cached apart from the code, a lean build context, no root.

No Docker engine here: the Dockerfile and .dockerignore are read as the engine reads them
(instructions in order; the last .dockerignore rule that matches a path decides).
"""

from __future__ import annotations

import fnmatch
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NEVER_IN_THE_IMAGE = [
    ".env",
    "var/hub.db",
    "var/redis.db",
    ".venv/bin/python",
    ".git/HEAD",
    "hub/__pycache__/cli.cpython-311.pyc",
    "tests/test_cli.py",
    "bench/deliveries.py",
    ".mypy_cache/3.11/hub/cli.meta.json",
    "docker-compose.yml",
]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def in_build_context(path: str) -> bool:
    """Whether .dockerignore lets `path` (or the folder holding it) into the build context."""
    rules = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    included = True
    for rule in rules:
        negated, pattern = rule.startswith("!"), rule.lstrip("!").rstrip("/")
        if any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
            included = negated
    return included


def test_dependencies_are_installed_from_pyproject_alone_before_the_code_is_copied() -> None:
    steps = instructions()
    copies = [i for i, (op, _) in enumerate(steps) if op == "COPY"]
    installs = [i for i, (op, args) in enumerate(steps) if op == "RUN" and "pip install" in args]
    first_install, code = installs[0], next(i for i in copies if "hub" in steps[i][1].split()[0])
    assert first_install < code
    assert [steps[i][1].split()[:-1] for i in copies if i < first_install] == [["pyproject.toml"]]
    assert "--no-deps" in steps[installs[-1]][1] and installs[-1] > code

    run = shlex.split(steps[first_install][1])
    snippet = run[run.index("-c") + 1]
    printed = subprocess.run(
        [sys.executable, "-c", snippet], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert [line for line in printed if line] == declared["project"]["dependencies"]


def test_the_image_runs_as_an_unprivileged_user() -> None:
    steps = instructions()
    users = [args for op, args in steps if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert [op for op, _ in steps].index("USER") < [op for op, _ in steps].index("CMD")


def test_the_build_context_holds_what_the_dockerfile_copies_and_no_secret_or_state() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    sources = [src for op, args in instructions() if op == "COPY" for src in args.split()[:-1]]
    copied = [path for path in tracked if any(path.startswith(src) for src in sources)]
    assert copied and all(in_build_context(path) for path in copied)
    assert [path for path in NEVER_IN_THE_IMAGE if in_build_context(path)] == []
