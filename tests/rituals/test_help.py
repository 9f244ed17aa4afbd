from hub.core.model.events import CommandInvoked
from hub.core.model.messages import MemberTarget, SpaceTarget
from hub.core.model.richtext import plain_text
from hub.rituals.help import Help, HelpConfig
from tests.rituals.conftest import COMMUNITY, NOW, context, member

HELP = Help()
COMMANDS = {"help": "affiche cette aide", "kudos": "remercie un membre"}


def command(name: str, space: str | None = "main") -> CommandInvoked:
    who = member()
    return CommandInvoked(
        event_id="c1",
        community_id=COMMUNITY.id,
        platform="webchat",
        space=space,
        actor=who.identities[0],
        occurred_at=NOW,
        name=name,
    )


def ctx(**kwargs: object):  # type: ignore[no-untyped-def]
    base = context(HelpConfig(), Help.default_texts["fr"], who=member())
    from dataclasses import replace

    return replace(base, commands=COMMANDS, **kwargs)


def test_help_lists_every_command_where_it_was_asked() -> None:
    (reply,) = HELP.on_event(ctx(), command("help")).outbound
    assert reply.target == SpaceTarget(space="main", platform="webchat")
    text = plain_text(reply.body)
    assert "Voici ce que tu peux me demander dans Inside Freelancing" in text
    assert "/hub help — affiche cette aide" in text and "/hub kudos — remercie un membre" in text


def test_help_asked_privately_is_answered_privately() -> None:
    (reply,) = HELP.on_event(ctx(), command("help", space=None)).outbound
    assert reply.target == MemberTarget(member_id=member().id, platform="webchat")


def test_an_unknown_verb_gets_a_helpful_reply_not_silence() -> None:
    (reply,) = HELP.on_event(ctx(), command("kudoz")).outbound
    assert (
        plain_text(reply.body)
        == "Je ne connais pas la commande kudoz. Écris /hub help pour voir ce que je sais faire."
    )


def test_verbs_owned_by_other_rituals_are_left_to_them() -> None:
    assert HELP.on_event(ctx(), command("kudos")).outbound == ()
