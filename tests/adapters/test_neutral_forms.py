"""Every inbound translator hands the core neutral forms: mentions as `@{user id}`, links as
plain addresses, reactions as the base emoji; no platform's syntax reaches a ritual."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.adapters.discord.translate import Author, Inbound, Interaction
from hub.adapters.slack import translate as slack
from hub.adapters.telegram import translate as telegram
from hub.adapters.webchat import translate as webchat
from hub.adapters.whatsapp import translate as whatsapp
from hub.core.model.commands import Said
from hub.core.model.domain import Identity, Member
from hub.core.model.events import CommandInvoked, Event, MessageReceived, ReactionAdded
from hub.core.model.mentions import match_members

SLACK_SPACES = {"C0MAIN": "main"}


def _slack(event: dict[str, object]) -> list[Event]:
    envelope = {"type": "event_callback", "event_id": "Ev1", "event_time": 1, "event": event}
    return slack.event_to_core(envelope, "c", SLACK_SPACES, "U0BOT")


def _slack_said(text: str, kind: str = "message") -> Event:
    (event,) = _slack({"type": kind, "user": "U1", "channel": "C0MAIN", "text": text, "ts": "1.0"})
    return event


def test_slack_mentions_and_links_become_neutral_in_commands_and_messages() -> None:
    command = _slack_said("/hub kudos <@U123|zoe> merci <https://x.org/a_b|x.org>")
    assert isinstance(command, CommandInvoked)
    assert command.args == ("@{U123}", "merci", "https://x.org/a_b")
    message = _slack_said("bravo <@U123> voir <https://x.org>")
    assert (
        isinstance(message, MessageReceived) and message.text == "bravo @{U123} voir https://x.org"
    )
    addressed = _slack_said("<@U0BOT> kudos <@U9|ana>", kind="app_mention")
    assert isinstance(addressed, CommandInvoked) and addressed.args == ("@{U9}",)
    form = {"user_id": "U1", "channel_id": "C0MAIN", "trigger_id": "t", "text": "kudos <@U7|b>"}
    (slash,) = slack.slash_command_to_core(form, "c", SLACK_SPACES)
    assert isinstance(slash, CommandInvoked) and slash.args == ("@{U7}",)


def test_slack_keeps_its_channel_and_everyone_tokens_as_typed() -> None:
    message = _slack_said("<!channel> voir <#C1|général>")
    assert isinstance(message, MessageReceived) and message.text == "<!channel> voir <#C1|général>"


def test_a_slack_reaction_with_a_skin_tone_is_its_base_emoji() -> None:
    item = {"type": "message", "channel": "C0MAIN", "ts": "1.0"}
    (reaction,) = _slack(
        {"type": "reaction_added", "user": "U1", "reaction": "+1::skin-tone-2", "item": item}
    )
    assert isinstance(reaction, ReactionAdded) and reaction.emoji == "+1"


DISCORD = Inbound("c", {"3000": "main"})
ZOE = Author("5000", "Zoé")


def test_discord_mentions_become_neutral_in_messages_and_slash_commands() -> None:
    (command,) = DISCORD.message("3000", ZOE, Said("/hub kudos <@!42> merci", "1"), private=False)
    assert isinstance(command, CommandInvoked) and command.args == ("@{42}", "merci")
    (message,) = DISCORD.message("3000", ZOE, Said("merci <@42>", "2"), private=False)
    assert isinstance(message, MessageReceived) and message.text == "merci @{42}"
    data = {"name": "hub", "options": [{"name": "command", "value": "kudos <@42> top"}]}
    interaction = Interaction("9", 2, data, ZOE, "3000", private=False)
    (slash,) = DISCORD.interaction(interaction)
    assert isinstance(slash, CommandInvoked) and slash.args == ("@{42}", "top")


def test_a_telegram_mention_of_a_member_without_username_carries_their_id() -> None:
    text = "/kudos 🎉Zoé merci"
    entities = [
        {"type": "bot_command", "offset": 0, "length": 6},
        {"type": "text_mention", "offset": 7, "length": 5, "user": {"id": 77}},  # 🎉 is 2 units
    ]
    chat = {"id": 7, "type": "private"}
    user = {"id": 7, "is_bot": False, "first_name": "Jean"}
    message = {"message_id": 1, "date": 1, "chat": chat, "from": user, "text": text}
    update = {"update_id": 1, "message": {**message, "entities": entities}}
    (command,) = telegram.update_to_core(update, "c", {}, "hub_bot")
    assert isinstance(command, CommandInvoked) and command.args == ("@{77}", "merci")


def test_whatsapp_and_webchat_text_is_already_neutral() -> None:
    lists = whatsapp.ListsOf("c", {"main": "membres"}, "JOIN")
    form = {"From": "whatsapp:+33600000000", "MessageSid": "SM1", "Body": "hub kudos @Zoé"}
    (command,) = whatsapp.message_to_core(form, lists).events
    assert isinstance(command, CommandInvoked) and command.args == ("@Zoé",)
    identity = Identity(platform="webchat", user_id="w1", display_name="Ana")
    where = webchat.InRoom("c", "main", identity, datetime.now(UTC))
    said = webchat.to_message_event(where, Said("/hub kudos @Zoé", "1-0"))
    assert isinstance(said, CommandInvoked) and said.args == ("@Zoé",)


def test_the_core_resolves_a_neutral_mention_to_the_member_with_that_id() -> None:
    zoe = Member(
        id=1,
        community_id="c",
        display_name="Zoé",
        identities=(Identity(platform="slack", user_id="U123", display_name="zoe"),),
    )
    ana = Member(id=2, community_id="c", display_name="U123", identities=())
    assert match_members("@{U123}", "slack", [zoe, ana]) == [zoe]
    assert match_members("@{U123}", "discord", [zoe, ana]) == []
    assert match_members("<@U123>", "slack", [zoe]) == []  # platform syntax means nothing here


def test_a_telegram_mention_next_to_a_lone_surrogate_is_read_all_the_same() -> None:
    assert telegram.neutral_text("\udfff Zoé", [TEXT_MENTION]) == "\udfff @{77}"
    assert telegram.neutral_text("\udfff Zoé", []) == "\udfff Zoé"


TEXT_MENTION = {"type": "text_mention", "offset": 2, "length": 3, "user": {"id": 77}}
