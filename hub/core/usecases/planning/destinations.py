"""Where an outbound message goes, on every platform its target covers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from hub.core.model.community import CommunityRuntime
from hub.core.model.deliveries import Destination
from hub.core.model.messages import MemberTarget, Outbound, SpaceTarget
from hub.core.model.richtext import mentioned_members, with_mention_ids
from hub.core.ports.outbox_store import Outbox

NeedsOptIn = Callable[[str], bool]
"""Whether members of a platform must open the private chat before the hub may write there."""


def destinations(
    outbox: Outbox, runtime: CommunityRuntime, outbound: Outbound, needs_opt_in: NeedsOptIn
) -> list[Destination]:
    """Every place the message goes: each space named (at its new address if it moved, or
    each member of an opt-in list), or the member's account to write to privately."""
    target = outbound.target
    if isinstance(target, SpaceTarget):
        return _space_destinations(outbox, runtime, target)
    return _member_destinations(outbox, target, needs_opt_in)


def _space_destinations(
    outbox: Outbox, runtime: CommunityRuntime, target: SpaceTarget
) -> list[Destination]:
    moved = outbox.moves()
    found: list[Destination] = []
    for s in runtime.spaces_named(target.space, target.platform):
        if s.opt_in_list:
            found += [
                Destination(
                    community_id=s.community_id,
                    platform=s.platform,
                    address=a.user_id,
                    member_id=a.member_id,
                    space=s.name,
                )
                for a in outbox.list_accounts(s.community_id, s.platform, s.name)
            ]
        else:
            address = moved.get((s.platform, s.address), s.address)
            found.append(
                Destination(
                    community_id=s.community_id, platform=s.platform, address=address, space=s.name
                )
            )
    return found


def _member_destinations(
    outbox: Outbox, target: MemberTarget, needs_opt_in: NeedsOptIn
) -> list[Destination]:
    """The member's most recently seen account the hub may write to: on platforms where
    members must open the private chat first, only once they have."""
    accounts = [
        a
        for a in outbox.member_accounts(target.member_id)
        if target.platform in (None, a.platform)
        and (a.private_chat_open or not needs_opt_in(a.platform))
    ]
    return [
        Destination(
            community_id=a.community_id,
            platform=a.platform,
            address=a.user_id,
            private=True,
            member_id=a.member_id,
        )
        for a in accounts[:1]
    ]


def with_mentions(outbox: Outbox, outbound: Outbound) -> Outbound:
    """The message with each mentioned member's accounts, for every renderer to pick its own."""
    members = mentioned_members(outbound.body)
    if not members:
        return outbound
    accounts = outbox.mention_ids(members)
    resolved = {member: tuple(accounts.get(member, ())) for member in members}
    return replace(outbound, body=with_mention_ids(outbound.body, resolved))
