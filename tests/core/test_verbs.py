"""One registry of verbs: a verb claimed twice stops start-up, a command reaches its owner."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from hub import bootstrap
from hub.bootstrap import ritual_catalogue
from hub.core.model.verbs import UNCLAIMED_VERBS_GO_TO, VerbClaimedTwice, VerbRegistry
from hub.core.ports import StartupError
from tests.builders import write_config
from tests.core.pipeline.support import TestRitual, runtime_of


class Kudos(TestRitual):
    name: ClassVar[str] = "kudos-box"
    commands: ClassVar[dict[str, dict[str, str]]] = {"kudos": {"en": "thank someone"}}


class Spotlight(TestRitual):
    name: ClassVar[str] = "stage"
    commands: ClassVar[dict[str, dict[str, str]]] = {"stage": {"en": "who is next"}}
    admin_commands: ClassVar[dict[str, dict[str, str]]] = {"stage move": {"en": "reorder"}}


class Mover(TestRitual):
    name: ClassVar[str] = "mover"
    admin_commands: ClassVar[dict[str, dict[str, str]]] = {"stage move": {"en": "move it"}}


def test_two_rituals_claiming_one_verb_fail_start_up_naming_the_verb_and_both(
    tmp_path: Path,
) -> None:
    with pytest.raises(VerbClaimedTwice) as failed:
        runtime_of(tmp_path, Spotlight(), Mover())
    assert "'stage move'" in str(failed.value)
    assert failed.value.rituals == ("stage", "mover")
    clashing = type("Merci", (Kudos,), {"name": "merci"})
    with pytest.raises(VerbClaimedTwice, match="'kudos'"):
        VerbRegistry.of([*ritual_catalogue().values(), clashing()])


def test_a_command_goes_to_the_ritual_owning_its_longest_verb() -> None:
    registry = VerbRegistry.of([Kudos(), Spotlight()])
    assert registry.owner_of("kudos", ("@zoe",)) == "kudos-box"
    assert registry.owner_of("stage", ("MOVE", "2")) == "stage"
    assert registry.owner_of("stage") == "stage"


def test_unclaimed_verbs_go_to_the_help_ritual_when_it_is_enabled() -> None:
    without_help = VerbRegistry.of([Kudos()])
    assert without_help.owner_of("dance") is None
    catalogue = ritual_catalogue()
    registry = VerbRegistry.of(catalogue.values())
    assert registry.owner_of("dance") == UNCLAIMED_VERBS_GO_TO == "help"
    assert registry.owner_of("help") == "help"
    assert registry.owner_of("run", ("icebreaker",)) == "admin"
    assert registry.owner_of("points", ("adjust",)) == "points"


def test_the_shipped_rituals_claim_their_verbs_once() -> None:
    registry = VerbRegistry.of(ritual_catalogue().values())
    for name, ritual in ritual_catalogue().items():
        for verb in (*ritual.commands, *ritual.admin_commands):
            assert registry.owners[verb] == name


class Merci(TestRitual):
    """A ritual a developer adds to the catalogue, claiming the help ritual's verb."""

    name: ClassVar[str] = "merci"
    commands: ClassVar[dict[str, dict[str, str]]] = {"help": {"en": "say thanks"}}


def test_a_hub_whose_rituals_claim_one_verb_twice_does_not_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(bootstrap.RITUALS, "merci", "tests.core.test_verbs:Merci")
    configs = bootstrap.load_config(write_config(tmp_path))
    with pytest.raises(StartupError, match="'help' is claimed by two rituals, 'help' and 'merci'"):
        bootstrap.build_hub(configs, {"DATABASE_URL": f"sqlite:///{tmp_path}/hub.db"})
