"""Forget-me forgets everything: one member takes part in every ritual on two linked accounts,
asks to be forgotten, and then no table and no ritual state holds an id, a name or a text of theirs.

The check reads every table of the schema (`Base.metadata`, so a new table is covered as soon as
it exists) and walks every JSON value, key by key; nothing of the member is allowed to remain.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from hub.bootstrap import ritual_catalogue
from hub.core.model.deliveries import DeliveryState
from hub.core.model.domain import Identity
from hub.core.model.events import DeliveryReported
from hub.core.storage.orm import Base, DeliveryRow, MemberRow, RitualStateRow
from tests.end_to_end.conftest import CHANNEL, GROUP, Community, running
from tests.fakes.discord import FakeDiscord, User, interaction_payload
from tests.fakes.telegram import Chat, FakeTelegram
from workers.processes import event_enqueuer

RITUALS = """
  welcome: {spaces: [main]}
  icebreaker: {schedule: "0 9 * * MON", spaces: [main], questions: ["Ton outil préféré ?"]}
  poll: {schedule: "0 9 * * TUE", spaces: [main], question: "Atelier jeudi ?", options: [Oui, Non]}
  shoutout: {}
  points: {}
  spotlight: {schedule: "0 10 * * WED", ask_days_before: 2}
  profile: {}
"""
MEMBER_ID = 734021  # distinctive, so that any trace of it is found wherever it hides
TELEGRAM_ID, DISCORD_ID, NAME = 8812345, "918273645501", "Zéphyrine"
ANA, BOB = 4455, "5001"  # Anaïs on Telegram, user5001 on Discord
THEIR_WORDS = {
    "bio": "narvalo des cartes 41f",
    "link": "https://zephyrine-41f.example",
    "answer": "axolotl-tableur 93",
    "nomination": "wombat-relecture 27",
    "kudos": "kudos-capybara 64",
    "pitch": "pitch-ornithorynque 77",
}
ABOUT_THEM = {"nomination by Bob": "quokka-factures 58", "nomination by Ana": "pelican-devis 31"}
ABOUT_THEM["kudos by Bob"] = "kudos-ibis 12"


@pytest.fixture
def community(
    fakes: tuple[FakeTelegram, str, FakeDiscord, str],
    tmp_path: Path,
    redis_url: str,
    database_url: str,
) -> Iterator[Community]:
    yield from running(fakes, tmp_path, redis_url, RITUALS, database_url)


def test_forget_me_leaves_no_id_name_or_text_of_the_member_in_any_table_or_state(
    community: Community,
) -> None:
    enabled = {r.name for r in community.hub.communities["inside-freelancing"].rituals}
    assert enabled == set(ritual_catalogue()), "every ritual takes part in this test"
    take_part_in_everything(community)
    before = traces(community)
    assert {"members", "identities", "space_members", "processed_events"} <= tables(before)
    assert {"ritual_records", "deliveries", "ritual_states"} <= tables(before)
    in_states = {t.split("[")[1].split("]")[0] for t in before if t.startswith("ritual_states[")}
    assert {"welcome", "poll", "shoutout", "points", "spotlight", "profile", "link"} <= in_states

    community.on_telegram(TELEGRAM_ID, NAME, "/forget-me", private=True)
    community.wait(lambda: mine(community, "forget-me confirm"), "the question")
    community.on_telegram(TELEGRAM_ID, NAME, "/forget-me confirm", private=True)
    community.wait(lambda: mine(community, "tout effacé"), "the goodbye")
    community.wait(lambda: outbox_settled(community), "every delivery sent or skipped")

    assert traces(community) == []


def take_part_in_everything(community: Community) -> None:
    """Zéphyrine joins on Telegram and Discord and links them, and does everything; the others
    nominate and thank her; some messages about her are still waiting to be sent."""
    start_member_ids_at(community, MEMBER_ID)
    community.telegram.chats[str(TELEGRAM_ID)] = Chat(type="private")
    community.telegram.chats[str(ANA)] = Chat(type="private")
    community.discord.users[DISCORD_ID] = User("zephyrine")
    joined(community, TELEGRAM_ID, NAME)
    community.on_telegram(TELEGRAM_ID, NAME, "/start", private=True)
    community.on_telegram(ANA, "Anaïs", "Bonjour à tous")
    community.on_discord(BOB, "help")
    community.on_discord(DISCORD_ID, f"profile set bio {THEIR_WORDS['bio']}")
    community.wait(lambda: len(community.discord_texts()) >= 2, "Bob and her Discord account")
    vote_on_both_accounts(community)
    link(community)
    say(community, "/profile set link " + THEIR_WORDS["link"])
    answer_the_icebreaker(community)
    say(community, f"/shoutout @user{BOB} {THEIR_WORDS['nomination']}")
    say(community, f"/kudos @user{BOB} {THEIR_WORDS['kudos']}")
    community.on_discord(BOB, f"shoutout @{NAME} {ABOUT_THEM['nomination by Bob']}")
    community.on_discord(BOB, f"kudos @{NAME} {ABOUT_THEM['kudos by Bob']}")
    community.wait(lambda: any("ibis" in t for t in community.discord_texts()), "Bob's kudos")
    community.fire("shoutout")
    community.wait(lambda: mine(community, "quokka-factures"), "told about Bob's shout-out")
    community.fire("profile:meet")
    community.wait(lambda: any(NAME in t for t in community.discord_texts()[-1:]), "meet post")
    community.fire("spotlight:ask")
    community.wait(lambda: mine(community, "spotlight pitch"), "her turn in the spotlight")
    say(community, f"/spotlight pitch {THEIR_WORDS['pitch']}", "pitch-ornithorynque")
    community.on_discord(BOB, "leaderboard")
    community.wait(lambda: "Zéphyrine" in community.discord_texts()[-1], "the leaderboard")
    say(community, "/link", "/hub link")  # a code left unused
    report_on_a_message_to_her(community)
    about_her_still_waiting(community)


def start_member_ids_at(community: Community, first: int) -> None:
    """The next member created gets id `first` (a placeholder of another community before it)."""
    with community.hub.database.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text("SELECT setval(pg_get_serial_sequence('members', 'id'), :n)"), {"n": first - 1}
            )
        else:
            now = datetime.now(UTC)
            session.add(
                MemberRow(id=first - 1, community_id="other", display_name="x", created_at=now)
            )


def joined(community: Community, user_id: int, name: str) -> None:
    """A Telegram service message: the person joined the group."""
    user = {"id": user_id, "is_bot": False, "first_name": name}
    message = {
        "message_id": 9000 + community.updates,
        "date": int(time.time()),
        "chat": {"id": int(GROUP), "type": "supergroup", "title": "Inside"},
        "from": user,
        "new_chat_members": [user],
    }
    community.on_telegram_update({"message": message})
    community.wait(lambda: any(name in t for t in community.telegram_texts()), "the welcome")


def vote_on_both_accounts(community: Community) -> None:
    """The poll is posted; she votes Oui on Telegram and Non on Discord, Bob votes Non."""
    community.fire("poll")
    community.wait(
        lambda: (
            any("Atelier" in t for t in community.discord_texts())
            and any("Atelier" in t for t in community.telegram_texts())
        ),
        "the poll on both apps",
    )
    poll = next(m for m in community.telegram.in_chat(GROUP) if "Atelier" in str(m["text"]))
    chat = {"id": int(GROUP), "type": "supergroup", "title": "Inside"}
    query = {
        "id": "cb-1",
        "from": {"id": TELEGRAM_ID, "is_bot": False, "first_name": NAME},
        "chat_instance": "1",
        "message": {"message_id": poll["message_id"], "date": int(time.time()), "chat": chat},
        "data": f"vote:{poll_id(community)}:0",
    }
    community.on_telegram_update({"callback_query": query})
    for user, choice in ((DISCORD_ID, 1), (BOB, 1)):
        data = {"custom_id": f"vote:{poll_id(community)}:{choice}", "component_type": 2}
        community.updates += 1
        community.on_discord_interaction(
            interaction_payload(str(community.updates), 3, data, CHANNEL, user, message={"id": "1"})
        )
    community.wait(lambda: len(votes(community)) == 3, "three votes")


def link(community: Community) -> None:
    """Her Telegram account issues a code, her Discord account redeems it; one vote remains."""
    say(community, "/link", "/hub link")
    code = re.findall(
        r"<code>([A-Z0-9]{8})</code>", " ".join(community.telegram_texts(str(TELEGRAM_ID)))
    )[-1]
    community.on_discord(DISCORD_ID, f"link {code}")
    community.wait(lambda: any("ne font plus" in t for t in community.discord_texts()), "linked")
    community.wait(lambda: len(votes(community)) == 2, "one vote per member after the link")
    assert votes(community)[str(MEMBER_ID)] == 0  # the kept member's vote counts


def answer_the_icebreaker(community: Community) -> None:
    community.fire("icebreaker")
    community.wait(lambda: any("outil" in t for t in community.telegram_texts()), "the question")
    question = next(m for m in community.telegram.in_chat(GROUP) if "outil" in str(m["text"]))
    chat = {"id": int(GROUP), "type": "supergroup", "title": "Inside"}
    message = {
        "message_id": 9500 + community.updates,
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": TELEGRAM_ID, "is_bot": False, "first_name": NAME},
        "text": THEIR_WORDS["answer"],
        "reply_to_message": {"message_id": question["message_id"], "date": 0, "chat": chat},
    }
    community.on_telegram_update({"message": message})


def say(community: Community, words: str, expect: str | None = None) -> None:
    """She writes a command to the hub privately on Telegram and waits for an answer."""
    count = len(community.telegram_texts(str(TELEGRAM_ID)))
    community.on_telegram(TELEGRAM_ID, NAME, words, private=True)
    community.wait(lambda: len(community.telegram_texts(str(TELEGRAM_ID))) > count, words)
    if expect:
        community.wait(lambda: mine(community, expect), expect)


def report_on_a_message_to_her(community: Community) -> None:
    """A platform reports that a message reached her (a delivery report)."""
    with community.hub.database.transaction() as session:
        row = session.scalars(
            select(DeliveryRow).where(
                DeliveryRow.address == str(TELEGRAM_ID), DeliveryRow.state == "sent"
            )
        ).first()
        assert row is not None and row.platform_message_id is not None
        message_id = row.platform_message_id
    event_enqueuer(community.hub.inbox, community.actors)(
        DeliveryReported(
            event_id=f"telegram:report:{message_id}",
            community_id="inside-freelancing",
            platform="telegram",
            space=None,
            actor=Identity(platform="telegram", user_id=str(TELEGRAM_ID), display_name=NAME),
            occurred_at=datetime.now(UTC),
            message_id=message_id,
            status="read",
        )
    )
    community.wait(lambda: platform_status(community, message_id) == "read", "the report")


def about_her_still_waiting(community: Community) -> None:
    """Ana nominates her after the roundup; the next roundup is planned but not sent yet."""
    community.on_telegram(ANA, "Anaïs", f"/shoutout @{NAME} {ABOUT_THEM['nomination by Ana']}")
    community.wait(
        lambda: any("Merci" in t and NAME in t for t in community.telegram_texts()), "noted"
    )
    occurrence = community.hub.scheduler().fire_now("inside-freelancing", "shoutout")
    assert community.hub.service.run_occurrence(occurrence)  # planned, never handed to a worker


# --- reading every table ---------------------------------------------------------------------


def traces(community: Community) -> list[str]:
    """Where an id, a name or a text of hers is: `table[ritual or row id].column/key…: value`."""
    words = [NAME, f"user{DISCORD_ID}", *THEIR_WORDS.values(), *ABOUT_THEM.values()]
    needles = [re.compile(re.escape(_normal(w))) for w in words]
    needles += [re.compile(rf"(?<!\d){n}(?!\d)") for n in (MEMBER_ID, TELEGRAM_ID, DISCORD_ID)]
    found: list[str] = []
    with community.hub.database.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                label = row.get("ritual") if table.name == "ritual_states" else row.get("id", "")
                for column, value in row.items():
                    for where, leaf in _leaves(value, f"{table.name}[{label}].{column}"):
                        if leaf == MEMBER_ID or any(n.search(_normal(str(leaf))) for n in needles):
                            found.append(f"{where}: {leaf!r}")
    return found


def _leaves(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every key and every scalar of a value, walking JSON to the bottom."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{where}/{key}", key
            yield from _leaves(item, f"{where}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{where}[{index}]")
    elif not isinstance(value, bool | type(None)):
        yield where, value


def _normal(words: str) -> str:
    return html.unescape(words).replace("\\", "").casefold()


def tables(found: list[str]) -> set[str]:
    return {t.split("[")[0] for t in found}


# --- small readers -----------------------------------------------------------------------------


def mine(community: Community, words: str) -> bool:
    return any(words in t for t in community.telegram_texts(str(TELEGRAM_ID)))


def state(community: Community, ritual: str) -> dict[str, Any]:
    with community.hub.database.transaction() as session:
        row = session.get(RitualStateRow, ("inside-freelancing", ritual))
        return dict(row.data) if row else {}


def poll_id(community: Community) -> str:
    return next(iter(state(community, "poll")["polls"]))


def votes(community: Community) -> dict[str, int]:
    return dict(state(community, "poll")["polls"][poll_id(community)]["votes"])


def platform_status(community: Community, message_id: str) -> str | None:
    with community.hub.database.transaction() as session:
        row = session.scalars(
            select(DeliveryRow).where(DeliveryRow.platform_message_id == message_id)
        ).first()
        return row.platform_status if row else None


def outbox_settled(community: Community) -> bool:
    busy = (DeliveryState.QUEUED.value, DeliveryState.SENDING.value)
    with community.hub.database.transaction() as session:
        return (
            session.scalars(select(DeliveryRow).where(DeliveryRow.state.in_(busy))).first() is None
        )
