"""`hub run` pointed at the fake Twilio: the join keyword, STOP, and the icebreaker that
reaches members inside the 24-hour window and uses the approved template for the others."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.adapters.whatsapp.conftest import (
    ENV,
    PUBLIC_URL,
    TEMPLATE_SID,
    WHATSAPP_YAML,
    message_form,
    signed,
)
from tests.builders import HUB, hub_run, wait_for, write_config
from tests.fakes.twilio import FakeTwilio

ANA, BEN, CLEO = (f"whatsapp:+3361234{n:04d}" for n in (1, 2, 3))


@pytest.fixture
def whatsapp_hub(
    twilio: tuple[FakeTwilio, str], tmp_path: Path
) -> Iterator[tuple[FakeTwilio, Path, str]]:
    fake, url = twilio
    yaml = WHATSAPP_YAML.format(public_url=PUBLIC_URL, url=url, mps=80, template=TEMPLATE_SID)
    config = write_config(tmp_path, yaml)
    with hub_run(config, tmp_path, ENV) as hub_url:
        yield fake, config, hub_url


def write(fake: FakeTwilio, hub_url: str, sender: str, body: str) -> str:
    """What Twilio does when a member writes: remember the window, post the signed webhook."""
    fake.member_wrote(sender)
    form = message_form(sender, body, ProfileName=f"M{sender[-1]}")
    content, headers = signed(fake, "/webhooks/whatsapp", form)
    response = httpx.post(f"{hub_url}/webhooks/whatsapp", content=content, headers=headers)
    assert response.status_code == 200
    return response.text


def test_join_stop_and_the_icebreaker_through_hub_run(
    whatsapp_hub: tuple[FakeTwilio, Path, str], tmp_path: Path
) -> None:
    fake, config, hub_url = whatsapp_hub
    for member in (ANA, BEN, CLEO):
        assert "Te voilà sur la liste" in write(fake, hub_url, member, "JOIN")
    wait_for(lambda: all(fake.delivered_to(m) for m in (ANA, BEN, CLEO)), what="the welcomes")
    assert fake.delivered_to(ANA)[0]["Body"].startswith("Bonjour M1 !")

    assert "Tu ne recevras plus" in write(fake, hub_url, CLEO, "STOP")
    a_day_and_more = time.time() - 30 * 3600
    with sqlite3.connect(tmp_path / "var" / "hub.db") as db:  # Ben last wrote 30 hours ago
        db.execute(
            "update identities set last_seen_at = datetime(?, 'unixepoch') where user_id = ?",
            (a_day_and_more, BEN),
        )
    fake.member_wrote(BEN, at=a_day_and_more)
    wait_for(lambda: opted_out(tmp_path, CLEO), what="the STOP to be processed")

    subprocess.run(
        [HUB, "ritual", "run", "icebreaker", "--config", str(config)],
        cwd=tmp_path,
        env={**ENV, "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=60,
    )
    wait_for(
        lambda: len(fake.delivered_to(ANA)) == 2 and len(fake.delivered_to(BEN)) == 2,
        what="the icebreaker",
    )
    assert "Premier client ?" in fake.delivered_to(ANA)[1]["Body"]
    assert fake.delivered_to(BEN)[1]["ContentSid"] == TEMPLATE_SID
    time.sleep(1.5)
    assert len(fake.sent_to(CLEO)) == 1  # the welcome, then nothing after STOP
    assert all(m["status"] != "failed" for m in fake.messages)  # nothing sent in breach


def opted_out(workdir: Path, address: str) -> bool:
    with sqlite3.connect(workdir / "var" / "hub.db") as db:
        (at,) = db.execute(
            "select opted_out_at from identities where user_id = ?", (address,)
        ).fetchone()
    return at is not None
