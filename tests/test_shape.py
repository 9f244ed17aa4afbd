"""The shape of the code, checked like python-telegram-bot checks its slots.

Every ritual of the catalogue is in the rituals' independence contract and speaks every
locale; the size targets of `docs/architecture.md` hold (modules, parameters). A new ritual,
locale or module that breaks the shape fails here, with what to change.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from hub.bootstrap import RITUALS
from hub.core.model import catalogue

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import shape  # noqa: E402

MODULE_P90 = 250
MODULE_MAX = 400
MAX_PARAMETERS = 5
SIGNATURES_NOT_OURS = {
    "hub/adapters/whatsapp/sender.py request": "overrides twilio's AsyncHttpClient.request",
}
"""Functions whose parameters an SDK decides (an override must keep its signature)."""


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(config["tool"]["importlinter"]["contracts"])


def test_every_ritual_of_the_catalogue_is_in_the_independence_contract() -> None:
    independent = next(
        list(contract["modules"])  # type: ignore[call-overload]
        for contract in contracts()
        if contract["name"] == "Rituals are independent of each other"
    )
    modules = {name: path.split(":")[0] for name, path in RITUALS.items()}
    missing = sorted(
        name
        for name, module in modules.items()
        if not any(module == m or module.startswith(m + ".") for m in independent)
    )
    assert not missing, f"add {missing} to the rituals' independence contract in pyproject.toml"


@pytest.mark.parametrize("ritual", sorted(RITUALS))
def test_every_ritual_speaks_every_locale(ritual: str) -> None:
    texts = catalogue.texts(ritual)
    english = set(texts[catalogue.FALLBACK])
    assert english, f"hub/locales/en/{ritual}.yaml has no texts"
    for locale in catalogue.locales():
        missing = english - set(texts.get(locale, {}))
        assert not missing, f"hub/locales/{locale}/{ritual}.yaml lacks {sorted(missing)}"


def test_no_module_is_over_the_size_targets() -> None:
    lengths = shape.modules(ROOT)
    too_long = {name: size for name, size in lengths.items() if size > MODULE_MAX}
    assert not too_long, f"split these modules (over {MODULE_MAX} lines): {too_long}"
    p90 = shape.percentile(list(lengths.values()), 0.9)
    assert p90 <= MODULE_P90, f"module length p90 is {p90}, the target {MODULE_P90}"


def test_no_function_takes_more_than_five_parameters() -> None:
    every = [f for name in shape.modules(ROOT) for f in shape.functions(Path(name), ROOT)]
    crowded = [
        f.where
        for f in every
        if f.parameters > MAX_PARAMETERS and f.name not in SIGNATURES_NOT_OURS
    ]
    assert not crowded, f"group these parameters in a small dataclass or class: {crowded}"
