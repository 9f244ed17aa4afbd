"""What the core needs to hear from platforms: listeners, and an enqueue for their events.

Every platform has one `Listener` for all its communities, built by the composition root with
`ListenerFactory.from_setup`; the web app mounts its routes, `hub run` and `hub gateway`
hold its connections. The core never asks a listener what it can do: it declares it all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from hub.core.model.events import Event

if TYPE_CHECKING:
    from hub.core.model.community import CommunityRuntime
    from hub.core.ports.platforms import AdapterResources


class Enqueue(Protocol):
    """Hands an inbound event to the pipeline (a Dramatiq actor in production)."""

    def __call__(self, event: Event) -> None:
        """Queue the event for `handle_event`; must return quickly."""
        ...


@runtime_checkable
class Listener(Protocol):
    """How one platform's events reach the hub: the web routes it serves (webhooks, the chat
    page), with the body sizes they accept, and the connections it holds (a long poll, a
    gateway) where webhooks cannot replace them."""

    @property
    def body_limits(self) -> Mapping[str, int]:
        """Largest request body by path prefix, where the web app's default is not enough."""
        ...

    @property
    def holds_connections(self) -> bool:
        """Whether `background` has a connection to hold (`hub gateway` waits otherwise)."""
        ...

    def routes(self) -> Sequence[Any]:
        """The web routes to mount (Starlette's: the core knows no web framework)."""
        ...

    async def background(self, stop: asyncio.Event) -> None:
        """Hold the connections until `stop` is set; fail if the platform refuses them."""
        ...


Section = TypeVar("Section")


@dataclass(frozen=True, slots=True)
class ListenerSetup:
    """What a platform's listener is built from: each community's section of the platform,
    the adapters' resources, and the enqueue for the events it will read."""

    sections: Sequence[tuple[CommunityRuntime, object]]
    resources: AdapterResources
    enqueue: Enqueue

    def sections_of(self, kind: type[Section]) -> list[tuple[CommunityRuntime, Section]]:
        """Each community with its section, as the platform's own settings type."""
        found = []
        for runtime, section in self.sections:
            assert isinstance(section, kind), f"{type(section).__name__} is not {kind.__name__}"
            found.append((runtime, section))
        return found


class ListenerFactory(Protocol):
    """A platform's listener class: one listener for every community configured on it."""

    def from_setup(self, setup: ListenerSetup) -> Listener:
        """The listener for these communities' sections of the platform."""
        ...
