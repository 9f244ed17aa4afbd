"""Effects: the changes a ritual asks of the core, applied in the ritual's transaction.

Rituals stay pure; merging two members, forgetting one or editing a profile touch rows that
belong to the core, so a ritual returns the effect and the core carries it out. What rituals
must hear of it comes back as a follow-up event (MembersMerged, MemberForgotten).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.orm import Session

from hub.core.model.domain import Identity
from hub.core.model.events import Event, MemberForgotten, MembersMerged, RitualSignalled
from hub.core.model.ritual import Effect, ForgetMember, MergeMembers, SetProfile, Signal
from hub.core.usecases.forgetting import forget_member
from hub.core.usecases.members import merge_members, set_profile

log = structlog.get_logger(__name__)
HUB = Identity(platform="hub", user_id="hub", display_name="hub")


def apply(
    session: Session, community_id: str, ritual: str, effect: Effect, cause: str, now: datetime
) -> Event | None:
    """Carry out one effect (not FireRitual, which the service runs itself)."""
    base: dict[str, Any] = {
        "community_id": community_id,
        "platform": HUB.platform,
        "space": None,
        "actor": HUB,
        "occurred_at": now,
    }
    if isinstance(effect, SetProfile):
        set_profile(session, effect.member_id, effect.fields)
        return None
    if isinstance(effect, MergeMembers):
        merge_members(session, effect.kept, effect.merged)
        log.info("members.merged", kept=effect.kept, merged=effect.merged)
        event_id = f"{cause}:merge:{effect.merged}"
        return MembersMerged(event_id=event_id, kept=effect.kept, merged=effect.merged, **base)
    if isinstance(effect, ForgetMember):
        accounts = forget_member(session, effect.member_id, cause)
        log.info("member.forgotten", member=effect.member_id)
        return MemberForgotten(
            event_id=f"{cause}:forget", member_id=effect.member_id, accounts=accounts, **base
        )
    if isinstance(effect, Signal):  # ids of follow-ups name no member: they key deliveries
        return RitualSignalled(
            event_id=f"{cause}:{ritual}:{effect.name}",
            ritual=ritual,
            name=effect.name,
            member_id=effect.member_id,
            other_member_id=effect.other_member_id,
            **base,
        )
    raise TypeError(f"not an effect the core applies here: {effect!r}")
