"""Every ritual keeps its state as a typed model whose member records the core can find, and
none handles a link or a forget-me itself."""

from __future__ import annotations

from pathlib import Path

import hub.rituals
from hub.bootstrap import ritual_catalogue
from hub.core.model.member_records import RitualState

RITUALS = Path(hub.rituals.__file__).parent


def test_every_ritual_declares_a_typed_state_that_loads_empty() -> None:
    for name, ritual in ritual_catalogue().items():
        assert issubclass(ritual.state_model, RitualState), name
        assert ritual.state_model.model_validate({}) == ritual.state_model(), name


def test_no_ritual_module_handles_links_or_forget_me_itself() -> None:
    for module in RITUALS.rglob("*.py"):
        source = module.read_text(encoding="utf-8")
        for event in ("MembersMerged", "MemberForgotten"):
            assert event not in source, f"{module.relative_to(RITUALS)} handles {event}"
