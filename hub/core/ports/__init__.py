"""Ports: the small interfaces the core needs from the outside world.

Adapters implement the platform ports (`platforms`, `listening`); storage implements the unit of
work and its repositories (`unit_of_work` and the `*_store` modules); `limits` is the shared
rate limiter; `clock` the time. Everything is re-exported here, so callers import from
`hub.core.ports`.
"""

from hub.core.ports.clock import Clock, utcnow
from hub.core.ports.limits import Budget, RateLimit, RateLimiter, Slot
from hub.core.ports.listening import Enqueue, Listener, ListenerFactory, ListenerSetup
from hub.core.ports.platforms import (
    Adapter,
    AdapterResources,
    AddressMovedError,
    Capabilities,
    ConfigurationSendError,
    PermanentSendError,
    RecipientUnreachableError,
    Renderer,
    Sender,
    SendError,
    StartupError,
    TemplateRenderer,
    TransientSendError,
    UncertainSendError,
)
from hub.core.ports.unit_of_work import UnitOfWork, UnitsOfWork

__all__ = [
    "Adapter",
    "AdapterResources",
    "AddressMovedError",
    "Budget",
    "Capabilities",
    "Clock",
    "ConfigurationSendError",
    "Enqueue",
    "Listener",
    "ListenerFactory",
    "ListenerSetup",
    "PermanentSendError",
    "RateLimit",
    "RateLimiter",
    "RecipientUnreachableError",
    "Renderer",
    "SendError",
    "Sender",
    "Slot",
    "StartupError",
    "TemplateRenderer",
    "TransientSendError",
    "UncertainSendError",
    "UnitOfWork",
    "UnitsOfWork",
    "utcnow",
]
