"""Ports: the small interfaces the core needs from the outside world.

Adapters implement the platform ports (`platforms`, `listening`); storage implements the unit of
work and its repositories (`unit_of_work` and the `*_store` modules: those bound to one community
are the unit of work's; `delivery_store`, `attempts_store`, `inbox_store`, `schedule_store` and
`retention_store` serve the processes that work across communities); `limits` is the shared
rate limiter; `clock` the time. Everything is re-exported here, so callers import from
`hub.core.ports`.
"""

from hub.core.ports.attempts_store import AttemptRecord, OccurrenceAttempts
from hub.core.ports.clock import Clock, utcnow
from hub.core.ports.delivery_store import Deliveries, Sent, Unclaimed
from hub.core.ports.inbox_store import DeadLetter, Failure, InboxEntry, InboxStore, InboxUnavailable
from hub.core.ports.limits import Budget, RateLimit, RateLimiter, Slot
from hub.core.ports.listening import Enqueue, Listener, ListenerFactory, ListenerSetup
from hub.core.ports.outbox_store import (
    Account,
    Held,
    LastSeen,
    OccurrenceStore,
    Outbox,
    PlannedDelivery,
    SentPart,
)
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
from hub.core.ports.retention_store import Expired, RetentionStore
from hub.core.ports.schedule_store import Claim, Page, SchedulerStores, ScheduleStore
from hub.core.ports.unit_of_work import UnitOfWork, UnitsOfWork

__all__ = [
    "Account",
    "Adapter",
    "AdapterResources",
    "AddressMovedError",
    "AttemptRecord",
    "Budget",
    "Capabilities",
    "Claim",
    "Clock",
    "ConfigurationSendError",
    "DeadLetter",
    "Deliveries",
    "Enqueue",
    "Expired",
    "Failure",
    "Held",
    "InboxEntry",
    "InboxStore",
    "InboxUnavailable",
    "LastSeen",
    "Listener",
    "ListenerFactory",
    "ListenerSetup",
    "OccurrenceAttempts",
    "OccurrenceStore",
    "Outbox",
    "Page",
    "PermanentSendError",
    "PlannedDelivery",
    "RateLimit",
    "RateLimiter",
    "RecipientUnreachableError",
    "Renderer",
    "RetentionStore",
    "ScheduleStore",
    "SchedulerStores",
    "SendError",
    "Sender",
    "Sent",
    "SentPart",
    "Slot",
    "StartupError",
    "TemplateRenderer",
    "TransientSendError",
    "UncertainSendError",
    "Unclaimed",
    "UnitOfWork",
    "UnitsOfWork",
    "utcnow",
]
