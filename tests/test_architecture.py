"""The import contracts in pyproject.toml hold, and they do catch a forbidden import."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
OWN_PACKAGES = ("hub", "workers")


def run_lint_imports(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def contract_modules() -> set[str]:
    """Every module of ours that a contract names (layers, sources, forbidden, independent)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    names: set[str] = set()
    for contract in config["contracts"]:
        for key in ("layers", "source_modules", "forbidden_modules", "modules"):
            for entry in contract.get(key, []):
                names.update(part.strip(" ()") for part in entry.split("|"))
    return {name for name in names if name.split(".")[0] in OWN_PACKAGES}


def write_package_tree(root: Path, modules: set[str]) -> None:
    """Empty packages for `modules` and all their parents."""
    for module in modules:
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):
            package = root.joinpath(*parts[:depth])
            package.mkdir(exist_ok=True)
            (package / "__init__.py").touch()


def test_the_code_keeps_the_import_contracts_of_pyproject() -> None:
    status, output = run_lint_imports(cwd=ROOT)
    assert status == 0, output


@pytest.mark.parametrize(
    ("module", "source", "named"),
    [
        ("hub/core/bad.py", "import dramatiq\n", "hub.core.bad -> dramatiq"),
        (
            "hub/rituals/welcome/bad.py",
            "import hub.rituals.icebreaker\n",
            "welcome.bad -> hub.rituals.icebreaker",
        ),
        ("hub/core/bad.py", "import hub.web\n", "hub.core.bad -> hub.web"),
        ("hub/core/usecases/bad.py", "import sqlalchemy\n", "usecases.bad -> sqlalchemy"),
        (
            "hub/core/usecases/bad.py",
            "import hub.core.storage\n",
            "usecases.bad -> hub.core.storage",
        ),
        ("hub/core/model/bad.py", "import hub.core.usecases\n", "model.bad -> hub.core.usecases"),
        ("hub/rituals/welcome/bad.py", "import sqlalchemy\n", "welcome.bad -> sqlalchemy"),
    ],
    ids=[
        "core-imports-dramatiq",
        "ritual-imports-ritual",
        "core-imports-web",
        "use-case-imports-sqlalchemy",
        "use-case-imports-storage",
        "model-imports-use-case",
        "ritual-imports-sqlalchemy",
    ],
)
def test_the_import_contracts_reject_a_forbidden_import(
    tmp_path: Path, module: str, source: str, named: str
) -> None:
    write_package_tree(tmp_path, contract_modules())
    (tmp_path / module).write_text(source)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}

    status, output = run_lint_imports(
        str(ROOT / "pyproject.toml"), "--no-cache", cwd=tmp_path, env=env
    )

    assert status != 0, output
    assert "BROKEN" in output, output
    assert named in output, output
