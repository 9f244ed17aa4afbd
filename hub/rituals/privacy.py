"""Privacy: `/hub export-me` sends a member everything the hub keeps about them (and what other
members' records say of them); `/hub forget-me`, once confirmed, deletes it all (accounts,
profile, records, points, every trace in other rows: see `hub/core/usecases/forgetting.py`).

Both answer in the private chat, whatever the place they were asked in. Always on.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar

from pydantic import Field

from hub.core.config.models import RitualSection
from hub.core.model import catalogue
from hub.core.model.events import CommandInvoked, Event
from hub.core.model.member_records import KeptFirst, RitualState
from hub.core.model.richtext import Code, Paragraph, RichText
from hub.core.model.ritual import NOTHING, ForgetMember, Occurrence, RitualContext, RitualResult
from hub.core.model.templates import TemplateSource
from hub.rituals.base import known_texts, privately, reply, state_of, text

CONFIRM_WITHIN = timedelta(minutes=10)
CONFIRM_WORDS = {"confirm", "confirmer", "oui", "yes"}
EXPORT_LINE = 300  # characters of JSON per line of the export


class PrivacyConfig(RitualSection):
    """`rituals.privacy`: the texts (the verbs cannot be turned off one by one)."""

    texts: Annotated[dict[str, TemplateSource], known_texts("privacy")] = Field(
        default_factory=dict
    )


class PrivacyState(RitualState):
    """Who asked to be forgotten and until when their confirmation is awaited."""

    pending: KeptFirst[datetime] = Field(default_factory=dict)


class Privacy:
    """A member's right to see and to erase what the hub keeps about them."""

    name: ClassVar[str] = "privacy"
    config_model: ClassVar[type[RitualSection]] = PrivacyConfig
    always_on: ClassVar[bool] = True
    commands: ClassVar[dict[str, dict[str, str]]] = catalogue.commands("privacy")
    admin_commands: ClassVar[dict[str, dict[str, str]]] = catalogue.admin_commands("privacy")
    default_texts: ClassVar[dict[str, dict[str, str]]] = catalogue.texts("privacy")
    state_model: ClassVar[type[RitualState]] = PrivacyState

    def on_event(self, ctx: RitualContext, event: Event) -> RitualResult:
        """Export, ask for confirmation, or forget."""
        if not isinstance(event, CommandInvoked) or ctx.member is None:
            return NOTHING
        if event.name == "export-me":
            return self._export(ctx, event)
        if event.name == "forget-me":
            confirmed = bool(event.args) and event.args[0].lower() in CONFIRM_WORDS
            return self._forget(ctx, event) if confirmed else self._ask(ctx, event)
        return NOTHING

    def _export(self, ctx: RitualContext, event: CommandInvoked) -> RitualResult:
        assert ctx.member is not None
        data = ctx.directory.export(ctx.member.id)
        intro = text(ctx, _texts(ctx).get("export"), "export", records=len(data.get("records", [])))
        body = RichText((*intro.blocks, *_as_code(data)))
        return _privately(ctx, event, "privacy:export", body)

    def _ask(self, ctx: RitualContext, event: CommandInvoked) -> RitualResult:
        assert ctx.member is not None
        pending = _pending(ctx)
        key = "pending" if ctx.member.id in pending else "ask"
        pending[ctx.member.id] = ctx.now + CONFIRM_WITHIN
        body = text(ctx, _texts(ctx).get(key), key)
        result = _privately(ctx, event, f"privacy:{key}", body)
        state = PrivacyState(pending=pending) if key == "ask" else None
        return RitualResult(outbound=result.outbound, state=state)

    def _forget(self, ctx: RitualContext, event: CommandInvoked) -> RitualResult:
        assert ctx.member is not None
        pending = _pending(ctx)
        if pending.pop(ctx.member.id, None) is None:
            body = text(ctx, _texts(ctx).get("nothing_to_confirm"), "nothing_to_confirm")
            return _privately(ctx, event, "privacy:nothing", body)
        body = text(ctx, _texts(ctx).get("forgotten"), "forgotten")
        result = _privately(ctx, event, "privacy:forgotten", body)
        return RitualResult(
            outbound=result.outbound,
            state=PrivacyState(pending=pending),
            effects=(ForgetMember(member_id=ctx.member.id),),
        )

    def on_occurrence(self, ctx: RitualContext, occurrence: Occurrence) -> RitualResult:
        """Privacy is not scheduled."""
        return NOTHING


def _privately(ctx: RitualContext, event: CommandInvoked, key: str, body: RichText) -> RitualResult:
    """The answer goes to the private chat; a public ask gets a note saying so."""
    assert ctx.member is not None
    outbound = [privately(ctx, ctx.member.id, key, body)]
    if event.space is not None:
        note = text(ctx, _texts(ctx).get("in_private"), "in_private")
        outbound.append(reply(ctx, event, "privacy:note", note))
    return RitualResult(outbound=tuple(outbound))


def _as_code(data: dict[str, Any]) -> tuple[Paragraph, ...]:
    """The data as monospace lines (JSON), which every platform shows as typed: one line per
    field, then one per record of theirs, one per record of others naming them and one per
    member record a ritual's state keeps about them (`kept` says where)."""
    lists = ("records", "about_you", "rituals")
    lines = [
        json.dumps({key: value}, ensure_ascii=False, default=str)
        for key, value in data.items()
        if key not in lists
    ]
    lines += [json.dumps(r, ensure_ascii=False, default=str) for r in data.get("records", [])]
    lines += [
        json.dumps({"about_you": r}, ensure_ascii=False, default=str)
        for r in data.get("about_you", [])
    ]
    lines += [
        json.dumps({"ritual": ritual, "kept": where, "value": value}, ensure_ascii=False)
        for ritual, found in data.get("rituals", {}).items()
        for where, value in found.items()
    ]
    chunks = [line[i : i + EXPORT_LINE] for line in lines for i in range(0, len(line), EXPORT_LINE)]
    return tuple(Paragraph((Code(chunk),)) for chunk in chunks)


def _pending(ctx: RitualContext) -> dict[int, datetime]:
    """The confirmations still awaited."""
    pending = state_of(ctx, PrivacyState).pending
    return {member: until for member, until in pending.items() if ctx.now < until}


def _texts(ctx: RitualContext) -> dict[str, str]:
    assert isinstance(ctx.config, PrivacyConfig)
    return ctx.config.texts
