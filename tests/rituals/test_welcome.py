from datetime import timedelta

from hub.core.model.member_records import forgotten
from hub.core.model.messages import MemberTarget, SpaceTarget
from hub.core.model.richtext import Mention, plain_text
from hub.rituals.welcome import Welcome, WelcomeConfig, WelcomeState
from tests.rituals.conftest import NOW, context, joined, js, member, said

WELCOME = Welcome()
FR = Welcome.default_texts["fr"]


def test_greets_a_new_member_in_the_space_and_privately() -> None:
    who = member()
    result = WELCOME.on_event(context(WelcomeConfig(spaces=["main"]), FR, who=who), joined(who))
    public, private = result.outbound
    assert public.target == SpaceTarget(space="main", platform="webchat")
    assert private.target == MemberTarget(member_id=who.id, platform="webchat")
    assert "Bienvenue Jean-Pierre dans Inside Freelancing" in plain_text(public.body)
    assert Mention(who.id, "Jean-Pierre") in public.body.blocks[0].children  # type: ignore[union-attr]
    assert "Pour bien démarrer" in plain_text(private.body)


def test_on_an_opt_in_list_only_the_newcomer_is_welcomed_privately() -> None:
    who = member()
    config = WelcomeConfig(spaces=["main"])
    result = WELCOME.on_event(context(config, FR, who=who), joined(who, platform="whatsapp"))
    (private,) = result.outbound
    assert private.target == MemberTarget(member_id=who.id, platform="whatsapp")
    assert "Pour bien démarrer" in plain_text(private.body)


def test_greets_a_join_reported_twice_only_once() -> None:
    who = member()
    config = WelcomeConfig(spaces=["main"])
    first = WELCOME.on_event(context(config, FR, who=who), joined(who, event_id="chat_member:1"))
    assert first.state is not None
    second = WELCOME.on_event(
        context(config, FR, who=who, state=first.state, now=NOW + timedelta(seconds=2)),
        joined(who, event_id="service_message:2"),
    )
    assert len(first.outbound) == 2
    assert second.outbound == ()


def test_greets_again_a_member_who_comes_back_days_later() -> None:
    who = member()
    config = WelcomeConfig(spaces=["main"])
    first = WELCOME.on_event(context(config, FR, who=who), joined(who))
    assert first.state is not None
    later = WELCOME.on_event(
        context(config, FR, who=who, state=first.state, now=NOW + timedelta(days=3)),
        joined(who, event_id="e2"),
    )
    assert len(later.outbound) == 2


def test_every_members_old_joins_leave_the_state_at_the_next_join() -> None:
    config = WelcomeConfig(spaces=["main"])
    first = WELCOME.on_event(context(config, FR, who=member(7)), joined(member(7)))
    later = context(config, FR, who=member(8), state=first.state, now=NOW + timedelta(days=3))
    result = WELCOME.on_event(later, joined(member(8), event_id="e2"))
    assert isinstance(result.state, WelcomeState) and list(result.state.greeted) == [8]


def test_owner_texts_override_defaults_and_member_names_stay_literal() -> None:
    who = member(name="**Zoé_** [x](https://evil.example)")
    config = WelcomeConfig(spaces=["main"], public="Hello {{ member.name }}!", send_private=False)
    (public,) = WELCOME.on_event(context(config, FR, who=who), joined(who)).outbound
    assert plain_text(public.body) == "Hello **Zoé_** [x](https://evil.example)!"


def test_ignores_joins_in_spaces_it_does_not_serve_and_other_events() -> None:
    who = member()
    config = WelcomeConfig(spaces=["main"])
    assert (
        WELCOME.on_event(context(config, FR, who=who), joined(who, space="annonces")).outbound == ()
    )
    assert WELCOME.on_event(context(config, FR, who=who), said(who, "salut")).outbound == ()


def test_when_the_platform_needs_an_opened_chat_the_greeting_links_to_it_and_onboarding_waits() -> (
    None
):
    from dataclasses import replace

    from hub.core.model.events import CommandInvoked

    who = member()
    config = WelcomeConfig(spaces=["main"])
    ctx = replace(context(config, FR, who=who), private_link="https://t.me/hub_bot?start=hello")
    result = WELCOME.on_event(ctx, joined(who))
    (public,) = result.outbound
    assert "Écris-moi en privé" in plain_text(public.body)
    assert result.state is not None and js(result.state)["pending"]
    start = CommandInvoked(
        event_id="s1",
        community_id=who.community_id,
        platform="webchat",
        space=None,
        actor=who.identities[0],
        occurred_at=NOW,
        name="start",
        args=("hello",),
    )
    later = WELCOME.on_event(context(config, FR, who=who, state=result.state), start)
    (private,) = later.outbound
    assert private.target == MemberTarget(member_id=who.id, platform="webchat")
    assert later.state is not None and js(later.state)["pending"] == {}
    assert WELCOME.on_event(context(config, FR, who=who, state=later.state), start).outbound == ()


def test_a_forgotten_members_greeted_joins_and_waiting_onboarding_are_dropped() -> None:
    from dataclasses import replace

    who, other = member(7), member(8, "Zoé")
    config = WelcomeConfig(spaces=["main"])
    ctx = replace(context(config, FR, who=who), private_link="https://t.me/hub_bot?start=hi")
    first = WELCOME.on_event(ctx, joined(who))
    assert first.state is not None
    second = WELCOME.on_event(context(config, FR, who=other, state=first.state), joined(other))
    assert isinstance(second.state, WelcomeState)
    state = js(forgotten(second.state, who.id))
    assert state["greeted"] == {"8": {"webchat:main:u8": NOW.isoformat().replace("+00:00", "Z")}}
    assert state["pending"] == {}
