"""Loading and saving rituals' typed state through the unit of work, and rewriting every
ritual's state at once when a link or a forget-me changes what it keeps about members."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from hub.core.model.member_records import RitualState
from hub.core.model.ritual import Ritual
from hub.core.ports import UnitOfWork

StateModels = Mapping[str, type[RitualState]]
"""Each ritual's state model, by ritual name (see `state_models`)."""


def state_models(rituals: Mapping[str, Ritual]) -> dict[str, type[RitualState]]:
    """The state models of a catalogue of rituals: what the core needs to rewrite their state."""
    return {name: ritual.state_model for name, ritual in rituals.items()}


def load(uow: UnitOfWork, ritual: Ritual) -> RitualState:
    """The ritual's state, locked for the unit of work (its defaults the first time)."""
    return ritual.state_model.model_validate(uow.states.load_for_update(ritual.name))


def save(uow: UnitOfWork, ritual: str, state: RitualState, now: datetime) -> None:
    """Keep the ritual's new state."""
    uow.states.save(ritual, state.model_dump(mode="json"), now)


def rewrite_all(
    uow: UnitOfWork,
    models: StateModels,
    change: Callable[[RitualState], RitualState],
    now: datetime,
) -> tuple[str, ...]:
    """Every stored ritual state through `change`; the rituals whose state changed. A state of
    a ritual not in `models` (no longer in the catalogue) is left as it is."""
    changed: list[str] = []
    for name, data in uow.states.every().items():
        model = models.get(name)
        if model is None:
            continue
        before = model.model_validate(data)
        after = change(before)
        if after != before:
            save(uow, name, after, now)
            changed.append(name)
    return tuple(changed)
