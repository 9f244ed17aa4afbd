"""Pipeline step: a platform's report on a message the hub sent (delivered, read, failed).

Statuses only move forward. A report can beat the worker's record of the send (the platform
answers before the send's transaction commits): for `REPORT_RACE` the report is handed back to
the inbox to try again (`DeliveryNotYetRecorded`), after that it is dropped as unknown.
"""

from __future__ import annotations

from datetime import timedelta

import structlog

from hub.core.model.events import DeliveryReported
from hub.core.ports.inbound_store import SentMessage
from hub.core.usecases.inbox import NotYet
from hub.core.usecases.turn import Turn

log = structlog.get_logger(__name__)
REPORT_RACE = timedelta(minutes=10)
_STATUS_RANK = {"queued": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}
HELD_NOTE = " (held until the member writes again)"


class DeliveryNotYetRecorded(NotYet):
    """A platform reported on a message whose sending is not committed yet: try again soon."""


def record_report(turn: Turn, report: DeliveryReported) -> None:
    """Update the delivery the platform reported on."""
    sent = turn.uow.sent.by_platform_id(report.platform, report.message_id)
    if sent is None:
        if turn.now - report.occurred_at < REPORT_RACE:
            raise DeliveryNotYetRecorded(report.message_id)
        log.info("delivery_report.unknown", platform=report.platform, status=report.status)
        return
    if _STATUS_RANK[report.status] <= _STATUS_RANK.get(sent.platform_status or "queued", 0):
        return
    turn.uow.sent.set_status(sent.id, report.status, turn.now)
    if report.status == "failed":
        _report_failure(turn, sent, report)


def _report_failure(turn: Turn, sent: SentMessage, report: DeliveryReported) -> None:
    """Outside a reply window on a platform that holds, the message waits for the member's next
    message; otherwise it failed for good, and the member may be unreachable there."""
    capabilities = turn.capabilities(sent.platform)
    holds = capabilities is not None and capabilities.hold_outside_window is not None
    reason = (report.reason or "failed")[:2000]
    if report.outside_window and holds:
        turn.uow.sent.hold(sent.id, reason + HELD_NOTE)
        return
    turn.uow.sent.fail(sent.id, reason)
    if report.recipient_unreachable and sent.member_id is not None:
        turn.uow.members.mark_unreachable(sent.member_id, sent.platform, reason)
    log.warning("delivery.failed", id=sent.id, platform=sent.platform, reason=reason)
