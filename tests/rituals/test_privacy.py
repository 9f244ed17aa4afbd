from datetime import timedelta

from hub.core.model.messages import MemberTarget, SpaceTarget
from hub.core.model.richtext import Code, Paragraph, plain_text
from hub.core.model.ritual import ForgetMember, StaticDirectory
from hub.rituals.privacy import Privacy, PrivacyConfig
from tests.rituals.conftest import NOW, command, context, member

PRIVACY = Privacy()
FR = Privacy.default_texts["fr"]
ZOE = member(4, "Zoé", "telegram", profile={"bio": "Designer **freelance**"})


def ask(*args: str, state: object = None, now=NOW, space: str | None = None):  # type: ignore[no-untyped-def]
    ctx = context(
        PrivacyConfig(), FR, who=ZOE, state=state, now=now, directory=StaticDirectory((ZOE,))
    )  # type: ignore[arg-type]
    return PRIVACY.on_event(ctx, command(ZOE, "forget-me", *args, space=space, now=now))


def test_forget_me_asks_for_confirmation_first_then_forgets() -> None:
    first = ask()
    assert first.effects == () and "forget-me confirm" in plain_text(first.outbound[0].body)
    done = ask("confirm", state=first.state)
    assert done.effects == (ForgetMember(member_id=ZOE.id),)
    assert "j'ai tout effacé" in plain_text(done.outbound[0].body)


def test_a_second_forget_me_or_a_late_or_lone_confirm_changes_nothing() -> None:
    first = ask()
    again = ask(state=first.state)
    assert again.state is None and "J'attends déjà" in plain_text(again.outbound[0].body)
    lone = ask("confirm")
    assert lone.effects == () and "rien à confirmer" in plain_text(lone.outbound[0].body)
    late = ask("confirm", state=first.state, now=NOW + timedelta(minutes=11))
    assert late.effects == ()


def test_asked_in_public_the_answer_goes_to_the_private_chat() -> None:
    result = ask(space="main")
    private, note = result.outbound
    assert private.target == MemberTarget(member_id=ZOE.id)
    assert note.target == SpaceTarget(space="main", platform="telegram")
    assert "en privé" in plain_text(note.body)


def test_export_me_sends_the_data_privately_as_literal_text() -> None:
    ctx = context(PrivacyConfig(), FR, who=ZOE, directory=StaticDirectory((ZOE,)))
    (export,) = PRIVACY.on_event(ctx, command(ZOE, "export-me", space=None)).outbound
    assert export.target == MemberTarget(member_id=ZOE.id)
    code = [
        b
        for b in export.body.blocks
        if isinstance(b, Paragraph) and isinstance(b.children[0], Code)
    ]
    assert code and "Designer **freelance**" in plain_text(export.body)
