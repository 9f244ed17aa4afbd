"""Outbound messages: what a ritual wants said, to whom, before any platform is involved."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.core.model.richtext import RichText


@dataclass(frozen=True, slots=True, kw_only=True)
class SpaceTarget:
    """Post in a space. `platform=None` means every platform that has a space of that name."""

    space: str
    platform: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberTarget:
    """Write to a member privately, on `platform` or, if None, where they can be reached."""

    member_id: int
    platform: str | None = None


Target = SpaceTarget | MemberTarget


@dataclass(frozen=True, slots=True, kw_only=True)
class Button:
    """A button; pressing it comes back as ButtonClicked(action, value)."""

    label: str
    action: str
    value: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Poll:
    """A question with options; answers come back as PollAnswered."""

    question: str
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Replaces:
    """Edit, instead of posting anew, the messages a ritual sent as `key` for `cause`."""

    cause: str
    key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Outbound:
    """One message a ritual wants delivered.

    `key` names this message uniquely and stably within its cause (an event or a scheduled
    occurrence), e.g. "welcome:public"; with the cause, the target and the part it forms the
    idempotency key of each delivery.
    """

    key: str
    target: Target
    body: RichText
    buttons: tuple[Button, ...] = field(default_factory=tuple)
    poll: Poll | None = None
    reply_to: str | None = None
    replaces: Replaces | None = None
