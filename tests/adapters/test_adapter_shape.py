"""Every adapter has the same shape, so a newcomer who read one can find their way in any.

Each folder holds its settings (the YAML section and the platform's name), its inbound
translator (wire → neutral events), its renderer (the dialect and the payloads), its sender,
and its listener; the composition root names those pieces, and the listener declares the
`Listener` port instead of being probed for what it can do.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from pathlib import Path

import pytest

from hub.adapters.wire import Listening
from hub.bootstrap import PLATFORMS, load_object
from hub.core.model.dialects import Dialect
from hub.core.ports import Listener, ListenerFactory
from hub.runtime import Connections

ADAPTERS = Path(__file__).parents[2] / "hub" / "adapters"
SHAPE = {"__init__.py", "settings.py", "translate.py", "render.py", "sender.py", "listener.py"}


def test_every_platform_the_hub_knows_has_an_adapter_folder_and_no_folder_is_unknown() -> None:
    folders = {path.name for path in ADAPTERS.iterdir() if (path / "__init__.py").exists()}
    assert folders == set(PLATFORMS)


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_adapter_folder_has_the_same_files(platform: str) -> None:
    files = {path.name for path in (ADAPTERS / platform).glob("*.py")}
    assert files >= SHAPE, f"{platform} lacks {sorted(SHAPE - files)}"


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_the_composition_root_names_the_pieces_in_their_files(platform: str) -> None:
    entry = PLATFORMS[platform]
    package = f"hub.adapters.{platform}"
    assert entry.settings.startswith(f"{package}.settings:")
    assert entry.adapter.startswith(f"{package}.sender:")
    assert entry.listener is not None and entry.listener.startswith(f"{package}.listener:")
    assert platform == importlib.import_module(f"{package}.settings").PLATFORM


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_each_renderer_declares_its_dialect(platform: str) -> None:
    render = importlib.import_module(f"hub.adapters.{platform}.render")
    dialects = [value for value in vars(render).values() if isinstance(value, Dialect)]
    assert len(dialects) == 1, f"{platform}'s render.py should declare one Dialect"
    assert callable(render.payloads)


PORT = sorted(name for name in vars(Listener) if not name.startswith("_"))
"""What a listener declares: body_limits, holds_connections, routes, background."""


def _same_parameters(implemented: object, declared: object) -> bool:
    """The same parameter names (a bound classmethod has no `self` left to compare)."""
    ours = list(inspect.signature(implemented).parameters)  # type: ignore[arg-type]
    theirs = list(inspect.signature(declared).parameters)  # type: ignore[arg-type]
    if theirs[:1] == ["self"] and ours[:1] != ["self"]:
        theirs = theirs[1:]
    return ours == theirs


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_each_listener_implements_the_listener_port(platform: str) -> None:
    listener = load_object(PLATFORMS[platform].listener or "")
    assert PORT == ["background", "body_limits", "holds_connections", "routes"]
    for name in PORT:
        declared = inspect.getattr_static(Listener, name)
        implemented = inspect.getattr_static(listener, name, None)
        assert implemented is not None, f"{listener.__name__} lacks {name}"
        if inspect.isfunction(declared):
            assert inspect.iscoroutinefunction(implemented) == inspect.iscoroutinefunction(
                declared
            ), name
            assert _same_parameters(implemented, declared), name
    assert _same_parameters(listener.from_setup, ListenerFactory.from_setup)


class _Holding(Listening):
    """A listener that declares a connection to hold."""

    def __init__(self, holds: bool) -> None:
        self.holds = holds
        self.held = False

    @property
    def holds_connections(self) -> bool:
        return self.holds

    def routes(self) -> list[object]:
        return []

    async def background(self, stop: asyncio.Event) -> None:
        self.held = True


def test_connections_are_held_for_the_listeners_that_declare_them_only() -> None:
    idle, holding = _Holding(False), _Holding(True)
    connections = Connections([idle, holding])
    assert connections.holders == [holding]
    connections.start().thread.join(5)
    assert holding.held and not idle.held
