"""B1: one ritual broadcast to every platform at once, against wire fakes that enforce the limits.

    .venv/bin/python bench/broadcast.py [--whatsapp-members 400] [--threads 8] [--workers 1]
                                        [--runs 1]

One icebreaker goes to 100 Telegram groups, 60 Slack channels, 100 Discord channels and a
WhatsApp opt-in list (400 members by default), sent by real `hub worker` process(es) through
the real SDKs to the local fakes of tests/fakes, limits on (Telegram 30/s per bot, 1/s per
chat, 20/min per group; Slack 1/s per channel; Discord 5 per 5 s per channel and 50/s; Twilio
80/s per sender). Prints the makespan (first `deliver` enqueued → last message accepted by a
platform), the optimum (the slowest platform at exactly its limits), their ratio, and per
platform its span, its 429s and the most requests it received in any one second against its
limit. Uses DATABASE_URL / REDIS_URL when set, else SQLite and an embedded Redis.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Workers, Workspace, states, workspace
from hub.bootstrap import build_hub, load_config
from hub.core.model.deliveries import PENDING
from hub.core.storage.orm import IdentityRow, MemberRow, SpaceMemberRow
from tests.fakes import discord, slack, telegram, twilio
from tests.fakes.limits import SendLog, Window, max_in_window
from tests.fakes.server import BackgroundServer

TELEGRAM_GROUPS, SLACK_CHANNELS, DISCORD_CHANNELS = 100, 60, 100
SENDER = "whatsapp:+14155238886"
SECRETS = {
    "TELEGRAM_BOT_TOKEN": telegram.TOKEN,
    "TELEGRAM_WEBHOOK_SECRET": "bench_secret-0123456789",
    "SLACK_BOT_TOKEN": "xoxb-test-token",
    "SLACK_SIGNING_SECRET": "bench-signing-secret",
    "DISCORD_BOT_TOKEN": discord.TOKEN,
    "DISCORD_PUBLIC_KEY": "00" * 32,
    "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "TWILIO_AUTH_TOKEN": "twilio-test-token",
}


def group(n: int) -> str:
    return f"-100{n:010d}"


def member(n: int) -> str:
    return f"whatsapp:+3361{n:07d}"


@dataclass
class Platform:
    """One fake on the wire, and the limit its requests per second are compared with."""

    name: str
    fake: Any
    messages: int
    optimum: float
    limit: str

    @property
    def delivered(self) -> int:
        """Messages the platform accepted (Discord's log also holds its other REST calls)."""
        return len(getattr(self.fake, "sent", None) or getattr(self.fake, "messages", []))

    @property
    def log(self) -> SendLog:
        log: SendLog = self.fake.log
        return log


def optimum(messages: int, window: Window) -> float:
    """Seconds to send `messages` under one account-wide window, at exactly its rate."""
    return messages / (window.count / window.seconds)


def fakes(members: int) -> list[Platform]:
    """The four fakes with the spaces of the broadcast, their limits left at the defaults."""
    tg = telegram.FakeTelegram(chats={group(n): telegram.Chat() for n in range(TELEGRAM_GROUPS)})
    sl = slack.FakeSlack(token=SECRETS["SLACK_BOT_TOKEN"])
    for n in range(SLACK_CHANNELS):
        sl.channel(f"C{n:08d}")
    dc = discord.FakeDiscord(
        channels={str(4000 + n): discord.Channel(name=f"c{n}") for n in range(DISCORD_CHANNELS)}
    )
    tw = twilio.FakeTwilio(account_sid=SECRETS["TWILIO_ACCOUNT_SID"])
    for n in range(members):
        tw.member_wrote(member(n))
    return [
        Platform("telegram", tg, TELEGRAM_GROUPS, optimum(TELEGRAM_GROUPS, tg.per_bot), "30/s"),
        Platform("slack", sl, SLACK_CHANNELS, 0.0, "1/s per channel"),
        Platform("discord", dc, DISCORD_CHANNELS, optimum(DISCORD_CHANNELS, dc.per_bot), "50/s"),
        Platform("whatsapp", tw, members, optimum(members, tw.per_sender), "80/s"),
    ]


def community_yaml(urls: dict[str, str]) -> str:
    telegram_spaces = ", ".join(f't{n}: "{group(n)}"' for n in range(TELEGRAM_GROUPS))
    slack_spaces = ", ".join(f"s{n}: C{n:08d}" for n in range(SLACK_CHANNELS))
    discord_spaces = ", ".join(f'd{n}: "{4000 + n}"' for n in range(DISCORD_CHANNELS))
    spaces = (
        [f"t{n}" for n in range(TELEGRAM_GROUPS)]
        + [f"s{n}" for n in range(SLACK_CHANNELS)]
        + [f"d{n}" for n in range(DISCORD_CHANNELS)]
        + ["w"]
    )
    return f"""
community: {{id: bench, name: Bench, timezone: UTC, locale: en}}
server: {{public_url: "https://hub.example.org"}}
platforms:
  telegram:
    token: ${{TELEGRAM_BOT_TOKEN}}
    webhook_secret: ${{TELEGRAM_WEBHOOK_SECRET}}
    api_base_url: {urls["telegram"]}
    spaces: {{{telegram_spaces}}}
  slack:
    bot_token: ${{SLACK_BOT_TOKEN}}
    signing_secret: ${{SLACK_SIGNING_SECRET}}
    api_base_url: {urls["slack"]}
    spaces: {{{slack_spaces}}}
  discord:
    token: ${{DISCORD_BOT_TOKEN}}
    public_key: ${{DISCORD_PUBLIC_KEY}}
    api_base_url: {urls["discord"]}
    spaces: {{{discord_spaces}}}
  whatsapp:
    account_sid: ${{TWILIO_ACCOUNT_SID}}
    auth_token: ${{TWILIO_AUTH_TOKEN}}
    from: "{SENDER}"
    api_base_url: {urls["whatsapp"]}
    spaces: {{w: members}}
rituals:
  icebreaker:
    schedule: "0 9 * * MON"
    spaces: [{", ".join(spaces)}]
    questions: ["What did you ship this week?"]
"""


def join_list(hub: Any, members: int) -> None:
    """`members` WhatsApp members on the opt-in list, each of whom wrote five minutes ago."""
    now = datetime.now(UTC)
    with hub.database.transaction() as session:
        for n in range(members):
            row = MemberRow(community_id="bench", display_name=f"M{n}", created_at=now)
            session.add(row)
            session.flush()
            identity = IdentityRow(
                member_id=row.id,
                community_id="bench",
                platform="whatsapp",
                user_id=member(n),
                display_name=f"M{n}",
                last_seen_at=now - timedelta(minutes=5),
            )
            joined = SpaceMemberRow(
                community_id="bench",
                platform="whatsapp",
                space="w",
                user_id=member(n),
                member_id=row.id,
                joined_at=now,
            )
            session.add_all([identity, joined])


@dataclass
class Run:
    makespan: float
    optimum: float
    planned: int
    unfinished: int
    platforms: list[Platform]
    started: float


def one_run(args: argparse.Namespace) -> Run:
    """Plan the broadcast, have the worker(s) send it, and read what the fakes saw."""
    platforms = fakes(args.whatsapp_members)
    servers = [BackgroundServer(p.fake.app()) for p in platforms]
    for server in servers:
        server.__enter__()
    try:
        by_name = {p.name: s for p, s in zip(platforms, servers, strict=True)}
        platforms[2].fake.ws_url = f"ws://127.0.0.1:{by_name['discord'].port}/gateway"
        with workspace(SECRETS) as found:
            urls = {k: s.url for k, s in by_name.items()}
            return sent_through(args, found, found.folder, platforms, urls)
    finally:
        for server in servers:
            server.__exit__()


def sent_through(
    args: argparse.Namespace,
    found: Workspace,
    work: Path,
    platforms: list[Platform],
    urls: dict[str, str],
) -> Run:
    config = work / "bench.yaml"
    config.write_text(community_yaml(urls), encoding="utf-8")
    hub = build_hub(load_config(config, found.env), found.env)
    hub.database.upgrade()
    join_list(hub, args.whatsapp_members)
    delivery_ids = hub.service.run_occurrence(hub.scheduler().fire_now("bench", "icebreaker"))

    from hub.runtime import actors_for
    from workers.actors import hand_over

    actors = actors_for(hub)
    with Workers(config, found.env, count=args.workers, threads=args.threads):
        started = time.monotonic()
        hand_over(hub, actors, delivery_ids)  # what `run_ritual` does once it has planned
        deadline = started + args.timeout
        while (pending := sum(states(hub)[s] for s in PENDING)) and time.monotonic() < deadline:
            time.sleep(0.1)
    last = max((t for p in platforms for t in p.log.accepted), default=started)
    return Run(
        makespan=last - started,
        optimum=max(p.optimum for p in platforms),
        planned=len(delivery_ids),
        unfinished=pending,
        platforms=platforms,
        started=started,
    )


def report(run: Run, number: int) -> None:
    ratio = run.makespan / run.optimum if run.optimum else float("nan")
    print(
        f"run {number}: makespan {run.makespan:.2f} s, optimum {run.optimum:.2f} s, "
        f"makespan/optimum {ratio:.2f}; {run.planned} deliveries"
        + (f", {run.unfinished} NOT FINISHED (timeout)" if run.unfinished else "")
    )
    for p in run.platforms:
        requests, accepted = p.log.times, p.log.accepted
        span = (max(accepted) - run.started) if accepted else 0.0
        share = 100 * p.fake.rate_limited / len(requests) if requests else 0.0
        print(
            f"  {p.name:9} sent {p.delivered:4}/{p.messages:<4} done at {span:6.2f} s "
            f"(optimum {p.optimum:4.2f} s)  429s {p.fake.rate_limited:4} ({share:4.1f} %)  "
            f"max in 1 s: {max_in_window(requests):3} requests, "
            f"{max_in_window(accepted):3} accepted (limit {p.limit})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--whatsapp-members", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="hub worker processes")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0, help="per run, seconds")
    args = parser.parse_args()
    print(
        f"B1 broadcast: {TELEGRAM_GROUPS} Telegram groups, {SLACK_CHANNELS} Slack channels, "
        f"{DISCORD_CHANNELS} Discord channels, {args.whatsapp_members} WhatsApp members; "
        f"{args.workers} worker process(es) x {args.threads} threads"
    )
    ratios = []
    for number in range(1, args.runs + 1):
        run = one_run(args)
        report(run, number)
        ratios.append(run.makespan / run.optimum)
    if len(ratios) > 1:
        print(
            f"makespan/optimum over {len(ratios)} runs: median {statistics.median(ratios):.2f}, "
            f"min {min(ratios):.2f}, max {max(ratios):.2f}"
        )


if __name__ == "__main__":
    main()
