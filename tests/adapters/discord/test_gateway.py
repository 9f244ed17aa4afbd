"""The real discord.py gateway client against the fake Gateway: events in, resumes, intents."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from hub.adapters.discord.api import point_at
from hub.adapters.discord.gateway import GatewayRefused
from hub.adapters.discord.listener import DiscordCommunity, DiscordListener
from hub.adapters.discord.translate import Inbound
from hub.core.model.events import (
    ButtonClicked,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    PollAnswered,
    ReactionAdded,
)
from hub.runtime import Connections
from tests.adapters.discord.conftest import MAIN, ZOE
from tests.builders import wait_for
from tests.fakes.discord import (
    GUILD_ID,
    TOKEN,
    FakeDiscord,
    hub_command_payload,
    interaction_payload,
    member_payload,
    message_payload,
)


def connect(url: str, enqueue: Callable[[Event], None]) -> tuple[Connections, DiscordListener]:
    """The gateway connection `hub gateway` would hold for one community, on the fake."""
    point_at(url)
    community = DiscordCommunity(Inbound("c", {MAIN: "main"}), TOKEN, None)
    listener = DiscordListener([community], enqueue, ready_timeout=0.2)
    return Connections([listener]).start(), listener


def listen(
    url: str, queued: list[Event], enqueue: Callable[[Event], None] | None = None
) -> Connections:
    connections, listener = connect(url, enqueue or queued.append)
    wait_for(lambda: "c" in listener.gateways and listener.gateways["c"].is_ready(), what="READY")
    return connections


@pytest.fixture
def connected(discord_api: tuple[FakeDiscord, str]) -> Iterator[tuple[FakeDiscord, list[Event]]]:
    fake, url = discord_api
    queued: list[Event] = []
    connections = listen(url, queued)
    try:
        yield fake, queued
    finally:
        connections.stop()


def test_hub_is_registered_as_a_slash_command(
    connected: tuple[FakeDiscord, list[Event]],
) -> None:
    fake, _ = connected
    (command,) = fake.commands
    assert command["name"] == "hub"
    assert [o["name"] for o in command["options"]] == ["command"]


def test_joins_messages_and_reactions_become_core_events(
    connected: tuple[FakeDiscord, list[Event]],
) -> None:
    fake, queued = connected
    fake.dispatch("GUILD_MEMBER_ADD", {**member_payload(ZOE, "zoe"), "guild_id": GUILD_ID})
    fake.dispatch(
        "MESSAGE_CREATE",
        message_payload(
            "10",
            MAIN,
            ZOE,
            "zoe",
            "Mon premier client !",
            message_reference={"message_id": "9", "channel_id": MAIN},
        ),
    )
    fake.dispatch("MESSAGE_CREATE", message_payload("11", "4444", ZOE, "zoe", "ailleurs"))
    fake.dispatch(
        "MESSAGE_REACTION_ADD",
        {
            "user_id": ZOE,
            "channel_id": MAIN,
            "message_id": "10",
            "guild_id": GUILD_ID,
            "emoji": {"id": None, "name": "🔥"},
            "type": 0,
            "burst": False,
            "member": member_payload(ZOE, "zoe"),
        },
    )
    wait_for(lambda: len(queued) >= 3, what="three events")
    joined, said, reacted = queued
    assert isinstance(joined, MemberJoined) and joined.space == "main"
    assert joined.actor.user_id == ZOE
    assert isinstance(said, MessageReceived) and said.reply_to == "9"
    assert isinstance(reacted, ReactionAdded) and reacted.emoji == "🔥"


def test_slash_commands_and_clicks_are_acknowledged_at_once(
    connected: tuple[FakeDiscord, list[Event]],
) -> None:
    fake, queued = connected
    fake.dispatch("INTERACTION_CREATE", hub_command_payload("700", MAIN, ZOE, "help"))
    click = {"custom_id": "vote:1:0", "component_type": 2}
    fake.dispatch("INTERACTION_CREATE", interaction_payload("701", 3, click, MAIN, ZOE))
    wait_for(lambda: len(fake.callbacks) == 2 and len(queued) == 2, what="two answers")
    command, clicked = queued
    assert isinstance(command, CommandInvoked) and command.name == "help"
    assert isinstance(clicked, ButtonClicked) and clicked.value == "1:0"
    answers = {c["interaction_id"]: c for c in fake.callbacks}
    assert answers["700"]["type"] == 4 and answers["700"]["data"]["flags"] == 64
    assert answers["701"]["type"] == 6


def test_events_sent_while_disconnected_are_replayed_on_resume_once(
    connected: tuple[FakeDiscord, list[Event]],
) -> None:
    fake, queued = connected
    fake.dispatch("MESSAGE_CREATE", message_payload("20", MAIN, ZOE, "zoe", "avant"))
    wait_for(lambda: len(queued) == 1, what="the first message")
    fake.drop_connections()
    fake.dispatch("MESSAGE_CREATE", message_payload("21", MAIN, ZOE, "zoe", "pendant"))
    wait_for(lambda: fake.resumes == 1 and len(queued) == 2, timeout=30, what="the resume")
    assert [e.text for e in queued if isinstance(e, MessageReceived)] == ["avant", "pendant"]
    assert fake.identifies == 1


def test_a_refused_privileged_intent_stops_with_a_clear_error(
    discord_api: tuple[FakeDiscord, str],
) -> None:
    fake, url = discord_api
    fake.enabled_privileged = {"message_content"}
    connections, _ = connect(url, print)
    error = connections.wait(threading.Event())
    assert isinstance(error, GatewayRefused)
    assert "Server Members Intent" in str(error)


def test_a_payload_that_crashes_discord_py_costs_a_reconnect_not_the_gateway(
    connected: tuple[FakeDiscord, list[Event]],
) -> None:
    fake, queued = connected
    broken = message_payload("30", MAIN, ZOE, "zoe", "x", message_reference={"message_id": "9"})
    fake.dispatch("MESSAGE_CREATE", broken)  # no channel_id in the reference: discord.py raises
    wait_for(lambda: fake.identifies == 2, timeout=30, what="a fresh session")
    fake.dispatch("MESSAGE_CREATE", message_payload("31", MAIN, ZOE, "zoe", "après"))
    wait_for(lambda: any(getattr(e, "text", "") == "après" for e in queued), what="the message")


def test_a_member_leaving_the_guild_leaves_its_spaces(
    connected: tuple[FakeDiscord, list[Event]],
) -> None:
    fake, queued = connected
    fake.dispatch(
        "GUILD_MEMBER_REMOVE", {"guild_id": GUILD_ID, "user": member_payload(ZOE, "zoe")["user"]}
    )
    wait_for(lambda: queued, what="the leave")
    (left,) = queued
    assert isinstance(left, MemberLeft) and left.space == "main" and left.actor.user_id == ZOE


def test_a_slow_enqueue_never_stalls_the_gateway(discord_api: tuple[FakeDiscord, str]) -> None:
    fake, url = discord_api
    release = threading.Event()
    queued: list[Event] = []

    def slow_then_fast(event: Event) -> None:
        if getattr(event, "text", "") == "lent":
            release.wait(timeout=20)  # a Redis that does not answer
        queued.append(event)

    connections = listen(url, [], enqueue=slow_then_fast)
    try:
        fake.dispatch("MESSAGE_CREATE", message_payload("40", MAIN, ZOE, "zoe", "lent"))
        fake.dispatch("MESSAGE_CREATE", message_payload("41", MAIN, ZOE, "zoe", "rapide"))
        wait_for(lambda: queued, timeout=10, what="the second event past the stuck first")
        assert [e.text for e in queued if isinstance(e, MessageReceived)] == ["rapide"]
    finally:
        release.set()
        connections.stop()


def test_a_vote_on_a_native_poll_is_a_poll_answer(
    connected: tuple[FakeDiscord, list[Event]],
) -> None:
    fake, queued = connected
    vote = {"user_id": ZOE, "channel_id": MAIN, "message_id": "77", "answer_id": 2}
    fake.dispatch("MESSAGE_POLL_VOTE_ADD", {**vote, "guild_id": GUILD_ID})
    wait_for(lambda: queued, what="the vote")
    (answer,) = queued
    assert isinstance(answer, PollAnswered)
    assert (answer.poll_id, answer.option_ids, answer.space) == ("77", (1,), "main")
