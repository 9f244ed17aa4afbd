"""The outbox planner, against the in-memory unit of work: where a message goes, the reply
window, edits, held messages, erasures; no database (storage's side: tests/core/storage)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hub.core.model.community import CommunityRuntime
from hub.core.model.deliveries import DeliveryState, Destination
from hub.core.model.domain import Community, Identity, Space
from hub.core.model.messages import MemberTarget, Outbound, Replaces, SpaceTarget
from hub.core.model.richtext import Mention, Paragraph, RichText, Text, mention_markup, parse_markup
from hub.core.model.verbs import VerbRegistry
from hub.core.ports import Capabilities
from hub.core.usecases.planning import Planner
from tests.fakes.repositories.outbox import account
from tests.fakes.unit_of_work import FakeUnitOfWork

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SPACES = (
    Space(community_id="c", platform="webchat", name="main", address="salon"),
    Space(community_id="c", platform="whatsapp", name="main", address="list", opt_in_list=True),
)
RUNTIME = CommunityRuntime(
    community=Community(id="c", name="C", timezone="UTC", locale="en"),
    config=None,  # type: ignore[arg-type]
    spaces=SPACES,
    rituals=(),
    verbs=VerbRegistry.of(()),
)


class Renderer:
    """Renders a message as one payload per paragraph, with the mentions' ids it was given."""

    def __init__(self, **capabilities: Any) -> None:
        self.capabilities = Capabilities(max_text_length=100, markup="plain", **capabilities)

    def render(self, outbound: Outbound, destination: Destination) -> list[dict[str, Any]]:
        return [{"text": repr(block), "to": destination.address} for block in outbound.body.blocks]


class Templates(Renderer):
    """A renderer with an approved template for the "nudge" ritual."""

    def render_template(
        self, ritual: str, outbound: Outbound, destination: Destination, recipient_name: str
    ) -> dict[str, Any] | None:
        return {"template": f"hello {recipient_name}"} if ritual == "nudge" else None


WINDOW = {"reply_window": timedelta(hours=24)}


def planner(uow: FakeUnitOfWork, **renderers: Renderer) -> Planner:
    return Planner(uow, RUNTIME, {("c", p): r for p, r in renderers.items()}, NOW)


def to_space(key: str = "hello", text: str = "hi") -> Outbound:
    return Outbound(key=key, target=SpaceTarget(space="main"), body=parse_markup(text))


def to_member(member_id: int, text: str = "hi", platform: str | None = None) -> Outbound:
    target = MemberTarget(member_id=member_id, platform=platform)
    return Outbound(key="dm", target=target, body=parse_markup(text))


def states(uow: FakeUnitOfWork) -> dict[str, DeliveryState]:
    return {key: row.state for key, row in uow.outbox.deliveries.items()}


def test_a_space_post_goes_to_each_platform_and_each_member_of_an_opt_in_list() -> None:
    uow = FakeUnitOfWork("c")
    uow.outbox.add_account(account(1, "whatsapp", "+1"), spaces={"main"})
    uow.outbox.add_account(account(2, "whatsapp", "+2"), spaces={"main"}, writable=False)
    uow.outbox.add_account(account(3, "whatsapp", "+3"))  # never joined the list
    ids = planner(uow, webchat=Renderer(), whatsapp=Renderer()).plan("r", "e1", to_space())
    assert len(ids) == 2
    assert sorted(d.destination.address for d in uow.outbox.deliveries.values()) == ["+1", "salon"]


def test_planning_the_same_cause_twice_plans_nothing_new() -> None:
    uow = FakeUnitOfWork("c")
    first = planner(uow, webchat=Renderer()).plan("r", "e1", to_space())
    again = planner(uow, webchat=Renderer()).plan("r", "e1", to_space())
    assert first == again and len(uow.outbox.deliveries) == 1
    uow.outbox.sent(first[0], "m1")
    assert planner(uow, webchat=Renderer()).plan("r", "e1", to_space()) == []


def test_a_space_that_moved_is_written_to_at_its_new_address() -> None:
    uow = FakeUnitOfWork("c")
    uow.outbox.moved[("webchat", "salon")] = "new-salon"
    planner(uow, webchat=Renderer()).plan("r", "e1", to_space())
    assert [d.destination.address for d in uow.outbox.deliveries.values()] == ["new-salon"]


def test_a_private_message_goes_to_the_most_recently_seen_account_that_may_be_written_to() -> None:
    uow = FakeUnitOfWork("c")
    uow.outbox.add_account(account(1, "webchat", "old"), last_seen_at=NOW - timedelta(days=2))
    uow.outbox.add_account(account(1, "webchat", "new"), last_seen_at=NOW)
    uow.outbox.add_account(account(1, "telegram", "tg"), last_seen_at=NOW + timedelta(1))
    # Telegram needs the member to open the private chat first, and they have not.
    renderers = {"webchat": Renderer(), "telegram": Renderer(private_needs_opt_in=True)}
    planner(uow, **renderers).plan("r", "e1", to_member(1))
    (row,) = uow.outbox.deliveries.values()
    assert (row.destination.address, row.destination.private) == ("new", True)


def test_no_delivery_where_the_platform_cannot_write_privately() -> None:
    uow = FakeUnitOfWork("c")
    uow.outbox.add_account(account(1, "webchat", "u1"))
    assert planner(uow, webchat=Renderer(private_messages=False)).plan("r", "e", to_member(1)) == []
    assert uow.outbox.deliveries == {}


def test_a_long_message_is_written_in_parts_each_waiting_for_the_one_before() -> None:
    uow = FakeUnitOfWork("c")
    ids = planner(uow, webchat=Renderer()).plan("r", "e1", to_space(text="one\n\ntwo\n\nthree"))
    rows = sorted(uow.outbox.deliveries.values(), key=lambda d: d.planned.part)
    assert [(r.state, r.planned.next_part) for r in rows] == [
        (DeliveryState.QUEUED, True),
        (DeliveryState.WAITING, True),
        (DeliveryState.WAITING, False),
    ]
    assert ids == [rows[0].id]


def test_mentions_carry_every_account_of_the_member_mentioned() -> None:
    uow = FakeUnitOfWork("c")
    uow.outbox.add_account(account(7, "webchat", "u7"))
    uow.outbox.add_account(account(7, "slack", "U7"))
    planner(uow, webchat=Renderer()).plan("r", "e1", to_space(text=mention_markup(7, "Ana")))
    (row,) = uow.outbox.deliveries.values()
    mention = Mention(member_id=7, name="Ana", user_ids=(("webchat", "u7"), ("slack", "U7")))
    assert row.payload["text"] == repr(Paragraph((mention,)))


def test_outside_the_reply_window_a_template_stands_in_else_the_message_is_held() -> None:
    uow = FakeUnitOfWork("c")
    uow.outbox.add_account(
        account(1, "whatsapp", "+1"), name="Ana", last_seen_at=NOW - timedelta(days=2)
    )
    uow.outbox.add_account(account(2, "whatsapp", "+2"), last_seen_at=NOW - timedelta(hours=1))
    whatsapp = Templates(hold_outside_window=timedelta(days=7), **WINDOW)
    planner(uow, whatsapp=whatsapp).plan("nudge", "e1", to_member(1))
    planner(uow, whatsapp=whatsapp).plan("other", "e2", to_member(1, "later"))
    planner(uow, whatsapp=whatsapp).plan("other", "e3", to_member(2, "inside"))
    rows = {(r.planned.ritual, r.destination.address): r for r in uow.outbox.deliveries.values()}
    assert rows["nudge", "+1"].payload == {"template": "hello Ana"}
    assert rows["other", "+1"].state is DeliveryState.HELD
    assert "held until the member writes again" in (rows["other", "+1"].reason or "")
    assert rows["other", "+2"].state is DeliveryState.QUEUED


def test_outside_the_window_with_no_hold_the_message_is_skipped() -> None:
    uow = FakeUnitOfWork("c")
    uow.outbox.add_account(account(1, "whatsapp", "+1"))  # never seen
    assert planner(uow, whatsapp=Renderer(**WINDOW)).plan("r", "e1", to_member(1)) == []
    (row,) = uow.outbox.deliveries.values()
    assert row.state is DeliveryState.SKIPPED


def test_what_was_held_goes_when_the_member_writes_unless_held_too_long() -> None:
    uow = FakeUnitOfWork("c")
    uow.outbox.add_account(account(1, "whatsapp", "+1"))
    whatsapp = Renderer(hold_outside_window=timedelta(days=7), **WINDOW)
    planner(uow, whatsapp=whatsapp).plan("r", "e1", to_member(1, "old\n\nparts"))
    later = Planner(uow, RUNTIME, {("c", "whatsapp"): whatsapp}, NOW + timedelta(days=8))
    later.plan("r", "e2", to_member(1, "recent"))
    released = later.release_held("whatsapp", "+1", keep=timedelta(days=7))
    by_cause = {
        key.split("|")[0] + f"|{r.planned.part}": r for key, r in uow.outbox.deliveries.items()
    }
    assert released == [by_cause["e2|0"].id]
    assert by_cause["e2|0"].state is DeliveryState.QUEUED
    assert by_cause["e1|0"].state is DeliveryState.SKIPPED
    assert by_cause["e1|1"].state is DeliveryState.SKIPPED  # the part that waited for it


def test_an_opted_out_account_has_nothing_pending_left() -> None:
    uow = FakeUnitOfWork("c")
    uow.outbox.add_account(account(1, "webchat", "u1"))
    planner(uow, webchat=Renderer()).plan("r", "e1", to_member(1, "a\n\nb"))
    assert planner(uow).skip_pending("webchat", "u1", "the member opted out") == 2
    assert set(states(uow).values()) == {DeliveryState.SKIPPED}


def test_a_replacing_message_edits_each_sent_copy_where_the_platform_edits() -> None:
    uow = FakeUnitOfWork("c")
    renderers = {"webchat": Renderer(), "whatsapp": Renderer(edits=False)}
    uow.outbox.add_account(account(1, "whatsapp", "+1"), spaces={"main"})
    for delivery_id in planner(uow, **renderers).plan("poll", "occ", to_space("tally", "0")):
        uow.outbox.sent(delivery_id, f"m{delivery_id}")
    edit = Outbound(
        key="tally-2",
        target=SpaceTarget(space="main"),
        body=RichText((Paragraph((Text("1"),)),)),
        replaces=Replaces(cause="occ", key="tally"),
    )
    (edit_id,) = planner(uow, **renderers).plan("poll", "vote", edit)
    row = uow.outbox.by_id(edit_id)
    assert row.payload["edit"] == "m1" and row.destination.address == "salon"
    assert row.planned.key.endswith("|edit")


def test_an_erasure_is_planned_once_and_forgotten_when_sent() -> None:
    uow = FakeUnitOfWork("c")
    zoe = Identity(platform="webchat", user_id="u-zoe", display_name="Zoé")
    first = planner(uow, webchat=Renderer()).plan_erasure("privacy", "forget-1", zoe)
    again = planner(uow, webchat=Renderer()).plan_erasure("privacy", "forget-1", zoe)
    (row,) = uow.outbox.deliveries.values()
    assert first == again == [row.id]
    assert row.payload == {"erase": True} and row.planned.forget_when_sent
