"""Planning a post to a WhatsApp opt-in list: one delivery per member, each checked against
the 24-hour window (free-form inside, the approved template outside).

    .venv/bin/python bench/whatsapp_fanout.py [--members 5000]

Uses DATABASE_URL when set, else SQLite in a temporary folder (no Redis is needed: nothing is
sent). Prints the time to plan the outbox of one icebreaker, and how many members were inside
and outside the window. Sending is then paced by the sender's throughput (80/s by default).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.bootstrap import build_hub, load_config
from hub.core.storage.orm import DeliveryRow, IdentityRow, MemberRow, SpaceMemberRow

YAML = """
community: {id: bench, name: Bench, timezone: UTC, locale: en}
server: {public_url: "https://hub.example.org"}
platforms:
  whatsapp:
    account_sid: AC00000000000000000000000000000000
    auth_token: ${TWILIO_AUTH_TOKEN}
    from: "whatsapp:+14155238886"
    spaces: {main: members}
    templates:
      icebreaker: {content_sid: HX11111111111111111111111111111111, variables: {"1": "{{ text }}"}}
rituals:
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [main]
    questions: ["What did you ship this week?"]
"""


def populate(hub: object, members: int) -> None:
    """Members who joined the list; every other one last wrote two days ago."""
    now = datetime.now(UTC)
    with hub.database.transaction() as session:  # type: ignore[attr-defined]
        for n in range(members):
            member = MemberRow(community_id="bench", display_name=f"M{n}", created_at=now)
            session.add(member)
            session.flush()
            address = f"whatsapp:+3361{n:07d}"
            seen = now - timedelta(days=2 if n % 2 else 0, minutes=5)
            session.add_all(
                [
                    IdentityRow(
                        member_id=member.id,
                        community_id="bench",
                        platform="whatsapp",
                        user_id=address,
                        display_name=f"M{n}",
                        last_seen_at=seen,
                    ),
                    SpaceMemberRow(
                        community_id="bench",
                        platform="whatsapp",
                        space="main",
                        user_id=address,
                        member_id=member.id,
                        joined_at=now,
                    ),
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=5000)
    members = parser.parse_args().members
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "bench.yaml").write_text(YAML, encoding="utf-8")
        env = {
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{directory}/bench.db",
            "REDIS_URL": "redis://127.0.0.1:1/0",  # never contacted: nothing is sent
            "TWILIO_AUTH_TOKEN": "bench-auth-token-0123456789",
        }
        hub = build_hub(load_config(directory / "bench.yaml", env), env)
        hub.database.upgrade()
        populate(hub, members)
        occurrence = hub.scheduler().fire_now("bench", "icebreaker")
        start = time.perf_counter()
        ids = hub.service.run_occurrence(occurrence)
        elapsed = time.perf_counter() - start
        with hub.database.transaction() as session:
            payloads = session.scalars(select(DeliveryRow.payload).where(DeliveryRow.id.in_(ids)))
            templated = sum(1 for payload in payloads if "content_sid" in payload)
        print(
            f"planned {len(ids)} WhatsApp deliveries in {elapsed:.2f} s "
            f"({len(ids) / elapsed:.0f}/s); {templated} by template outside the window"
        )


if __name__ == "__main__":
    main()
