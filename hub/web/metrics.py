"""Prometheus metrics: what ops watch. Defined once, used by the web app and the workers."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from hub.core.storage.db import Database
from hub.core.storage.orm import DeliveryRow, InboxRow

EVENTS_RECEIVED = Counter(
    "hub_events_received_total", "Inbound events accepted and queued", ["platform", "kind"]
)
DELIVERY_ATTEMPTS = Counter(
    "hub_delivery_attempts_total",
    "Delivery attempts by platform and outcome",
    ["platform", "outcome"],
)
DELIVERY_CONFIG_ERRORS = Counter(
    "hub_delivery_config_errors_total",
    "Deliveries failed by the hub's own setup (token, template, permission, missing adapter)",
    ["platform"],
)
DELIVERY_LATENCY = Histogram(
    "hub_delivery_latency_seconds",
    "Time from a delivery being planned to the platform accepting it",
    ["platform"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)


class DeliveryStateCollector(Collector):
    """Deliveries by platform and state, and inbound events by state, read at scrape time.

    Workers may run anywhere; the outbox and the inbox are the one place that knows every
    message's state. `hub_inbox{state="dead"}` counts the dead letters waiting for the owner.
    """

    def __init__(self, database: Database) -> None:
        self.database = database

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The families, without a query: registering must not need the database up."""
        yield from _families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        deliveries, inbox = _families()
        by_state = select(DeliveryRow.platform, DeliveryRow.state, func.count()).group_by(
            DeliveryRow.platform, DeliveryRow.state
        )
        inbox_states = select(InboxRow.state, func.count()).group_by(InboxRow.state)
        with self.database.engine.connect() as connection:
            for platform, state, count in connection.execute(by_state):
                deliveries.add_metric([platform, state], count)
            for state, count in connection.execute(inbox_states):
                inbox.add_metric([state], count)
        yield deliveries
        yield inbox


def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
    deliveries = GaugeMetricFamily(
        "hub_deliveries",
        "Deliveries in the outbox by platform and state",
        labels=["platform", "state"],
    )
    inbox = GaugeMetricFamily(
        "hub_inbox", "Inbound events in the inbox by state (dead: dead letters)", labels=["state"]
    )
    return deliveries, inbox
