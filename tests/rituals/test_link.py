from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hub.core.model.domain import Member
from hub.core.model.member_records import RitualState, forgotten, merged
from hub.core.model.messages import MemberTarget, SpaceTarget
from hub.core.model.richtext import plain_text
from hub.core.model.ritual import MergeMembers, RitualResult, StaticDirectory
from hub.rituals.link import Link, LinkConfig, LinkState
from tests.rituals.conftest import NOW, command, context, member

LINK = Link()
FR = Link.default_texts["fr"]
CONFIG = LinkConfig()
ANA_TG = member(3, "Ana", "telegram")
ANA_DC = member(9, "ana.d", "discord")
DIRECTORY = StaticDirectory((ANA_TG, ANA_DC))


def issue(
    entropy: str = "e" * 32,
    space: str | None = None,
    state: Mapping[str, Any] | RitualState | None = None,
) -> RitualResult:
    ctx = context(CONFIG, FR, who=ANA_TG, state=state, directory=DIRECTORY, entropy=entropy)
    return LINK.on_event(ctx, command(ANA_TG, "link", space=space))


def code_of(result: RitualResult) -> str:
    body = plain_text(result.outbound[0].body)
    return body.split(":")[1].split("(")[0].strip()


def redeem(
    code: str,
    state: Mapping[str, Any] | RitualState | None,
    *,
    now: datetime = NOW,
    who: Member = ANA_DC,
) -> RitualResult:
    ctx = context(CONFIG, FR, who=who, state=state, directory=DIRECTORY, now=now)
    return LINK.on_event(ctx, command(who, "link", code, space=None, now=now))


def test_a_code_is_given_privately_and_never_stored_in_clear() -> None:
    result = issue(space="main")
    code = code_of(result)
    assert len(code) == 8 and code.isalnum()
    assert result.outbound[0].target == MemberTarget(member_id=ANA_TG.id, platform="telegram")
    assert result.outbound[1].target == SpaceTarget(space="main", platform="telegram")
    assert code not in str(result.state)


def test_codes_come_from_the_secret_entropy_not_from_the_event() -> None:
    assert code_of(issue("a" * 32)) != code_of(issue("b" * 32))


def test_the_code_from_another_account_merges_the_two_into_the_older_member() -> None:
    first = issue()
    result = redeem(code_of(first), first.state)
    assert result.effects == (MergeMembers(kept=3, merged=9),)
    assert "discord + telegram" in plain_text(result.outbound[0].body)


def test_a_code_cannot_be_replayed_expires_and_is_not_for_the_same_account() -> None:
    first = issue()
    used = redeem(code_of(first), first.state)
    assert redeem(code_of(first), used.state).effects == ()
    late = redeem(code_of(first), first.state, now=NOW + timedelta(minutes=11))
    assert late.effects == () and "inconnu ou expiré" in plain_text(late.outbound[0].body)
    same = redeem(code_of(first), first.state, who=ANA_TG)
    assert same.effects == () and "autre compte" in plain_text(same.outbound[0].body)


def test_five_wrong_codes_in_an_hour_block_guessing() -> None:
    state = issue().state
    for attempt in range(5):
        state = redeem(f"WRONG00{attempt}", state).state
    good = issue(state=state)
    blocked = redeem(code_of(good), good.state)
    assert blocked.effects == () and "Trop d'essais" in plain_text(blocked.outbound[0].body)
    later = redeem(code_of(good), good.state, now=NOW + timedelta(minutes=9))
    assert later.effects == ()  # still blocked: the window is an hour, codes last ten minutes


def test_the_core_renames_or_drops_pending_codes_on_a_link_or_a_forget_me() -> None:
    state = issue().state
    assert isinstance(state, LinkState)
    assert {code.member for code in merged(state, kept=1, gone=3).codes.values()} == {1}
    assert forgotten(state, 3).codes == {}


def test_where_the_hub_cannot_write_privately_yet_the_code_is_not_shown_in_public() -> None:
    ctx = context(CONFIG, FR, who=ANA_TG, directory=DIRECTORY, entropy="e" * 32)
    ctx = replace(ctx, private_link="https://t.me/hub_bot?start=link")
    (answer,) = LINK.on_event(ctx, command(ANA_TG, "link", space="main")).outbound
    assert answer.target == SpaceTarget(space="main", platform="telegram")
    assert code_of(issue()) not in plain_text(answer.body)
    assert "écris-moi d'abord en privé" in plain_text(answer.body)


def test_expired_codes_and_old_misses_leave_the_state_at_the_next_event() -> None:
    first = issue()
    missed = redeem("WRONG123", first.state)
    assert isinstance(missed.state, LinkState) and missed.state.failures
    still = context(CONFIG, FR, who=ANA_DC, state=missed.state, now=NOW + timedelta(minutes=5))
    assert LINK.on_event(still, command(ANA_DC, "help")) == RitualResult()
    later = context(CONFIG, FR, who=ANA_DC, state=missed.state, now=NOW + timedelta(hours=2))
    tidied = LINK.on_event(later, command(ANA_DC, "help", now=NOW + timedelta(hours=2)))
    assert tidied.state == LinkState()
    assert tidied.outbound == ()
