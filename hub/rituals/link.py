"""Link: one person, several accounts. `/hub link` gives a one-time code; `/hub link CODE` sent
from another account joins the two into one member (points, profile, turns follow the person).

Codes are 8 characters from a 32-letter alphabet (40 bits) drawn from the hub's fresh secret
randomness, kept only as hashes, valid 10 minutes, used once; a member who gets five codes
wrong in an hour must wait. Always on (a community can disable it).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field

from hub.core.config.models import Duration, RitualSection
from hub.core.model import catalogue
from hub.core.model.events import CommandInvoked, Event
from hub.core.model.member_records import MemberRef, RitualState, United
from hub.core.model.messages import MemberTarget, Outbound
from hub.core.model.ritual import NOTHING, MergeMembers, Occurrence, RitualContext, RitualResult
from hub.core.model.templates import TemplateSource
from hub.rituals.base import known_texts, reply, state_of, text

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(hours=1)


class LinkConfig(RitualSection):
    """`rituals.link`: how long a code lasts, and the texts."""

    code_valid_for: Duration = timedelta(minutes=10)
    texts: Annotated[dict[str, TemplateSource], known_texts("link")] = Field(default_factory=dict)


class Code(BaseModel):
    """A code waiting to be redeemed: whose it is, until when (kept as the code's hash)."""

    member: MemberRef
    expires: datetime


class LinkState(RitualState):
    """Codes by hash, and each member's recent wrong codes."""

    codes: dict[str, Code] = Field(default_factory=dict)
    failures: United[list[datetime]] = Field(default_factory=dict)


class Link:
    """Issues and redeems one-time codes that join two accounts into one member."""

    name: ClassVar[str] = "link"
    config_model: ClassVar[type[RitualSection]] = LinkConfig
    always_on: ClassVar[bool] = True
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("link")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("link")
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("link")
    state_model: ClassVar[type[RitualState]] = LinkState

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Issue a code, or redeem one; any event drops what has expired."""
        if not isinstance(event, CommandInvoked) or event.name != "link" or ctx.member is None:
            return _without_expired(ctx)
        if event.args:
            return self._redeem(ctx, event, event.args[0])
        return self._issue(ctx, event)

    def _issue(self, ctx: RitualContext, event: CommandInvoked) -> RitualResult:
        assert ctx.member is not None
        config = _config(ctx)
        if ctx.private_link is not None:  # a code must never be shown in public
            body = text(
                ctx, config.texts.get("open_private"), "open_private", link=ctx.private_link
            )
            return RitualResult(outbound=(reply(ctx, event, "link:open", body),))
        code = _code(ctx.entropy)
        expires = ctx.now + config.code_valid_for
        state = state_of(ctx, LinkState)
        codes = {key: value for key, value in state.codes.items() if ctx.now < value.expires}
        codes[_hash(code)] = Code(member=ctx.member.id, expires=expires)
        minutes = int(config.code_valid_for.total_seconds() // 60)
        body = text(ctx, config.texts.get("code"), "code", code=code, minutes=minutes)
        target = MemberTarget(member_id=ctx.member.id, platform=event.platform)
        outbound = [Outbound(key="link:code", target=target, body=body)]
        if event.space is not None:
            note = text(ctx, config.texts.get("sent_privately"), "sent_privately")
            outbound.append(reply(ctx, event, "link:sent", note))
        state.codes = codes
        return RitualResult(outbound=tuple(outbound), state=state)

    def _redeem(self, ctx: RitualContext, event: CommandInvoked, code: str) -> RitualResult:
        assert ctx.member is not None
        config, me, state = _config(ctx), ctx.member.id, state_of(ctx, LinkState)
        failures = [at for at in state.failures.get(me, []) if ctx.now - at < FAILURE_WINDOW]
        if len(failures) >= MAX_FAILURES:
            return _answer(ctx, event, config, "too_many")
        found = state.codes.get(_hash(code.strip().upper()))
        if found is None or ctx.now >= found.expires:
            state.failures[me] = [*failures, ctx.now]
            return _answer(ctx, event, config, "invalid", state)
        if found.member == ctx.member.id:
            return _answer(ctx, event, config, "same")
        del state.codes[_hash(code.strip().upper())]
        return self._merge(ctx, event, config, found.member, state)

    def _merge(
        self,
        ctx: RitualContext,
        event: CommandInvoked,
        config: LinkConfig,
        issuer: int,
        state: LinkState,
    ) -> RitualResult:
        assert ctx.member is not None
        other = ctx.directory.member(issuer)
        kept, merged = sorted((issuer, ctx.member.id))
        accounts = sorted(
            {i.platform for i in ctx.member.identities}
            | {i.platform for i in (other.identities if other else ())}
        )
        body = text(ctx, config.texts.get("linked"), "linked", accounts=" + ".join(accounts))
        return RitualResult(
            outbound=(reply(ctx, event, "link:done", body),),
            state=state,
            effects=(MergeMembers(kept=kept, merged=merged),),
        )

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Link is not scheduled."""
        return NOTHING


def _answer(
    ctx: RitualContext,
    event: CommandInvoked,
    config: LinkConfig,
    key: str,
    state: LinkState | None = None,
) -> RitualResult:
    body = text(ctx, config.texts.get(key), key)
    return RitualResult(outbound=(reply(ctx, event, f"link:{key}", body),), state=state)


def _code(entropy: str) -> str:
    """8 letters from the secret entropy; never from the event-seeded `rng`."""
    number = int(hashlib.sha256(entropy.encode()).hexdigest(), 16)
    letters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[index])
    return "".join(letters)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _without_expired(ctx: RitualContext) -> RitualResult:
    """Any event of the community drops codes past their time and misses past the failure
    window (with their member ids) from the state: none outlives its period by more than the
    community's next sign of life."""
    state = state_of(ctx, LinkState)
    codes = {key: code for key, code in state.codes.items() if ctx.now < code.expires}
    recent = {
        member: times
        for member, times in state.failures.items()
        if any(ctx.now - at < FAILURE_WINDOW for at in times)
    }
    if len(codes) == len(state.codes) and len(recent) == len(state.failures):
        return NOTHING
    return RitualResult(state=LinkState(codes=codes, failures=recent))


def _config(ctx: RitualContext) -> LinkConfig:
    assert isinstance(ctx.config, LinkConfig)
    return ctx.config
