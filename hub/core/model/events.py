"""Events: what happened on a platform, in the hub's neutral vocabulary (past tense).

Adapters build them; rituals react to them. `event_id` is unique per platform delivery and is
what makes inbound processing idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from hub.core.model.domain import Identity


@dataclass(frozen=True, slots=True, kw_only=True)
class EventBase:
    """Fields every event carries. `space` is the space name, or None for a private chat."""

    event_id: str
    community_id: str
    platform: str
    space: str | None
    actor: Identity
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberJoined(EventBase):
    """A person joined a space (or opted in, on WhatsApp)."""

    kind: Literal["member_joined"] = "member_joined"


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberLeft(EventBase):
    """A person left a space (or opted out)."""

    kind: Literal["member_left"] = "member_left"


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageReceived(EventBase):
    """A member wrote something. `reply_to` is the platform id of the message answered."""

    text: str
    message_id: str
    reply_to: str | None = None
    kind: Literal["message_received"] = "message_received"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionAdded(EventBase):
    """A member reacted to a message with an emoji."""

    message_id: str
    emoji: str
    kind: Literal["reaction_added"] = "reaction_added"


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandInvoked(EventBase):
    """A member asked the hub for something: `/hub <name> <args…>`."""

    name: str
    args: tuple[str, ...] = field(default_factory=tuple)
    kind: Literal["command_invoked"] = "command_invoked"


@dataclass(frozen=True, slots=True, kw_only=True)
class ButtonClicked(EventBase):
    """A member pressed a button the hub had sent."""

    action: str
    value: str = ""
    message_id: str | None = None
    kind: Literal["button_clicked"] = "button_clicked"


@dataclass(frozen=True, slots=True, kw_only=True)
class PollAnswered(EventBase):
    """A member answered a poll the hub had sent."""

    poll_id: str
    option_ids: tuple[int, ...]
    kind: Literal["poll_answered"] = "poll_answered"


@dataclass(frozen=True, slots=True, kw_only=True)
class OptedOut(EventBase):
    """The person asked the hub to stop writing to them on this platform (WhatsApp STOP).

    From now on nothing is sent to that account, and what was waiting to be sent is skipped."""

    kind: Literal["opted_out"] = "opted_out"


@dataclass(frozen=True, slots=True, kw_only=True)
class OptedIn(EventBase):
    """The person asked to hear from the hub again after opting out (WhatsApp START)."""

    kind: Literal["opted_in"] = "opted_in"


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryReported(EventBase):
    """The platform said what became of a message the hub sent (Twilio's status callback).

    `actor` is the recipient. Not shown to rituals, and not a sign of life from the member:
    it only updates the delivery whose platform id is `message_id`.
    `status`: sent, delivered, read or failed; on failure `reason` says why, `outside_window`
    tells a message refused for the reply window (held for the member's next message) and
    `recipient_unreachable` one that can never reach that account.
    """

    message_id: str
    status: Literal["queued", "sent", "delivered", "read", "failed"]
    reason: str | None = None
    outside_window: bool = False
    recipient_unreachable: bool = False
    kind: Literal["delivery_reported"] = "delivery_reported"


@dataclass(frozen=True, slots=True, kw_only=True)
class MembersMerged(EventBase):
    """Two members turned out to be one person (`/hub link`): `merged` is now `kept`.

    Raised by the core after it moved the accounts and merged the member records of every
    ritual's state (`member_records`); rituals do not handle it."""

    kept: int
    merged: int
    kind: Literal["members_merged"] = "members_merged"


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberForgotten(EventBase):
    """A member was forgotten at their request: the core already removed their member records
    and whatever names them from every ritual's state; `accounts` are the ones they had."""

    member_id: int
    accounts: tuple[Identity, ...] = ()
    kind: Literal["member_forgotten"] = "member_forgotten"


@dataclass(frozen=True, slots=True, kw_only=True)
class RitualSignalled(EventBase):
    """A ritual said something happened (`icebreaker` / `answered`, `shoutout` / `given`), for
    the rituals that count it (points). `member_id` did it; `other_member_id` received it."""

    ritual: str
    name: str
    member_id: int
    other_member_id: int | None = None
    kind: Literal["ritual_signalled"] = "ritual_signalled"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordsRewritten(EventBase):
    """The core rewrote `ritual`'s state for a link or a forget-me: what the ritual shows from
    it (a poll's tally) or was waiting for (an answer) may need acting on. It names no member."""

    ritual: str
    kind: Literal["records_rewritten"] = "records_rewritten"


Event = Annotated[
    MemberJoined
    | MemberLeft
    | MessageReceived
    | ReactionAdded
    | CommandInvoked
    | ButtonClicked
    | PollAnswered
    | OptedOut
    | OptedIn
    | DeliveryReported
    | MembersMerged
    | MemberForgotten
    | RitualSignalled
    | RecordsRewritten,
    Field(discriminator="kind"),
]

_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def event_to_json(event: Event) -> dict[str, Any]:
    """A JSON-safe dict, for queues and logs."""
    return _EVENT_ADAPTER.dump_python(event, mode="json")  # type: ignore[no-any-return]


def event_from_json(data: dict[str, Any]) -> Event:
    """The event a dict made by `event_to_json` describes."""
    return _EVENT_ADAPTER.validate_python(data)
