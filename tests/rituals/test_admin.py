from hub.core.model.messages import MemberTarget
from hub.core.model.richtext import plain_text
from hub.core.model.ritual import FireRitual, RitualResult
from hub.rituals.admin import Admin, AdminConfig
from tests.rituals.conftest import command, context, member

ADMIN = Admin()
FR = Admin.default_texts["fr"]
OWNER = member(1, "Camille")


def run(*args: str, admin: bool = True, space: str | None = None) -> RitualResult:
    ctx = context(AdminConfig(), FR, who=OWNER, admin=admin, scheduled=("icebreaker", "poll"))
    return ADMIN.on_event(ctx, command(OWNER, "run", *args, space=space))


def test_an_owner_runs_a_scheduled_ritual_now_from_the_private_chat() -> None:
    result = run("icebreaker")
    assert result.effects == (FireRitual(ritual="icebreaker"),)
    assert result.outbound[0].target == MemberTarget(member_id=OWNER.id, platform="webchat")


def test_others_and_public_use_are_refused_and_fire_nothing() -> None:
    refused = run("icebreaker", admin=False)
    assert refused.effects == () and "Seuls les responsables" in plain_text(
        refused.outbound[0].body
    )
    public = run("icebreaker", space="main")
    assert public.effects == () and "en privé" in plain_text(public.outbound[0].body)


def test_an_unknown_ritual_gets_the_list_of_those_that_can_run() -> None:
    result = run("icebraker")
    assert result.effects == ()
    assert "icebreaker, poll" in plain_text(result.outbound[0].body)
