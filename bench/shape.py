"""Measure the code's shape: module lengths, function sizes and parameter counts.

Run `python bench/shape.py` from the repository root; `docs/architecture.md` records its output
before and after a change of shape. The same figures are asserted by `tests/test_shape.py`.
"""

from __future__ import annotations

import ast
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOTS = ("hub", "workers")
EXCLUDED = ("migrations",)


@dataclass(frozen=True, slots=True)
class Function:
    """One function or method: where it is, its body length and its parameter count."""

    where: str
    name: str
    """The module's path and the function's name, e.g. "hub/cli.py main"."""
    body_lines: int
    parameters: int


def modules(root: Path = Path(".")) -> dict[str, int]:
    """Every Python module of the package, outside migrations, with its line count."""
    found: dict[str, int] = {}
    for top in ROOTS:
        for path in sorted((root / top).rglob("*.py")):
            if any(part in EXCLUDED for part in path.parts):
                continue
            found[str(path.relative_to(root))] = len(path.read_text().splitlines())
    return found


def functions(path: Path, root: Path = Path(".")) -> list[Function]:
    """Every function in a module, with its body length (docstring left out) and its
    parameters (`self` and `cls` not counted)."""
    tree = ast.parse((root / path).read_text())
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        lines = (body[-1].end_lineno or 0) - body[0].lineno + 1 if body else 0
        args = node.args
        names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
        names = [n for n in names if n not in {"self", "cls"}]
        where = f"{path}:{node.lineno} {node.name}"
        found.append(Function(where, f"{path} {node.name}", lines, len(names)))
    return found


def percentile(values: list[int], fraction: float) -> int:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(root: Path = Path(".")) -> dict[str, object]:
    """The figures `docs/architecture.md` gives."""
    lengths = modules(root)
    every = [f for name in lengths for f in functions(Path(name), root)]
    bodies = [f.body_lines for f in every]
    return {
        "modules": len(lengths),
        "module_median": int(statistics.median(lengths.values())),
        "module_p90": percentile(list(lengths.values()), 0.9),
        "over_400": sorted(n for n, size in lengths.items() if size > 400),
        "largest": max(lengths.items(), key=lambda item: item[1]),
        "function_median": int(statistics.median(bodies)),
        "function_p90": percentile(bodies, 0.9),
        "over_5_parameters": sorted(f.where for f in every if f.parameters > 5),
    }


if __name__ == "__main__":
    figures = report(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
    for key, value in figures.items():
        if isinstance(value, list):
            print(f"{key}: {len(value)}")
            for item in value:
                print(f"  {item}")
        else:
            print(f"{key}: {value}")
