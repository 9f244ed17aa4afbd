"""Pipeline step: on platforms without buttons, a bare number answers numbered choices.

The hub renders a poll's options as a numbered list there; a member who then writes "2" (or
"2." or "2)") within `CHOICES_VALID_FOR` of the last message that offered choices has pressed
that message's second button.
"""

from __future__ import annotations

import re
from datetime import timedelta

from hub.core.model.events import ButtonClicked, Event, MessageReceived
from hub.core.ports.inbound_store import SentMessage
from hub.core.usecases.turn import Turn

CHOICES_VALID_FOR = timedelta(days=7)
_CHOICE = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def as_choice(turn: Turn, event: Event) -> Event:
    """The button press a bare number stands for, or the event itself."""
    capabilities = turn.capabilities(event.platform)
    if capabilities is None or capabilities.buttons or not isinstance(event, MessageReceived):
        return event
    number = _CHOICE.match(event.text)
    if number is None:
        return event
    since = turn.now - CHOICES_VALID_FOR
    offer = turn.uow.sent.last_offer(event.platform, event.actor.user_id, since)
    index = int(number.group(1)) - 1
    if offer is None or not 0 <= index < len(offer.choices):
        return event
    return _pressed(event, offer, index)


def _pressed(event: MessageReceived, offer: SentMessage, index: int) -> ButtonClicked:
    """The press of the offer's button `index`, by the member who wrote the number."""
    action, value = offer.choices[index]
    return ButtonClicked(
        event_id=event.event_id,
        community_id=event.community_id,
        platform=event.platform,
        space=event.space,
        actor=event.actor,
        occurred_at=event.occurred_at,
        action=action,
        value=value,
        message_id=offer.platform_message_id,
    )
