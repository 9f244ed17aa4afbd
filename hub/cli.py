"""`hub`: the one command owners and ops use. Every command takes --config FILE|DIR."""

from __future__ import annotations

import atexit
import json
import os
import sys
from collections.abc import Sequence
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hub.bootstrap import Hub, build_hub, config_model, load_config
from hub.core.config.loader import ConfigError, LoadedConfig
from hub.core.config.models import HubConfig
from hub.core.ports import StartupError
from hub.core.usecases.service import Preview
from hub.logs import configure_logging, redact_also
from workers.health import Role

app = typer.Typer(
    help="A messaging hub that runs a growth community's rituals on every platform.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
ritual_app = typer.Typer(help="Run rituals by hand.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(ritual_app, name="ritual")
telegram_app = typer.Typer(help="Telegram set-up.", no_args_is_help=True)
app.add_typer(telegram_app, name="telegram")
inbox_app = typer.Typer(
    help="Inbound events the pipeline could not process (dead letters).", no_args_is_help=True
)
app.add_typer(inbox_app, name="inbox")
# Wide enough for tables when piped; issues and logs never wrap mid-line.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, soft_wrap=True)


def _print_version(asked: bool) -> None:
    if asked:
        out.print(_plain(f"hub {installed_version('growth-hub')}"), highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the installed version and exit.",
        ),
    ] = False,
) -> None:
    """Options for every command."""


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="A community YAML file or a folder of them (default: $HUB_CONFIG)."
    ),
]


def _config_path(config: Path | None) -> Path:
    path = config or (Path(os.environ["HUB_CONFIG"]) if os.environ.get("HUB_CONFIG") else None)
    if path is None:
        err.print("[red]No config given[/red]: pass --config FILE|DIR or set HUB_CONFIG.")
        raise typer.Exit(1)
    return path


def _validated(config: Path | None) -> list[LoadedConfig[HubConfig]]:
    """Every community file, validated; on any problem print them all and exit 1."""
    try:
        return load_config(_config_path(config))
    except ConfigError as error:
        _print_issues(error)
        raise typer.Exit(1) from None
    except Exception as error:  # never a traceback for an owner
        message = f"{type(error).__name__}: {error}"
        err.print(Text("Could not read the configuration: ", "red") + _plain(message))
        raise typer.Exit(1) from None


def _load(config: Path | None, *, keep_secret: bool = False) -> Hub:
    """Validate, then compose the hub, logging (structured, redacted) from its first line.

    What this process started for itself (the embedded redis-server) stops when it exits.
    """
    configs = _validated(config)
    configure_logging([*_secrets(configs), *_url_passwords(*_configured_urls(configs))])
    try:
        hub = build_hub(configs, keep_secret=keep_secret)
    except StartupError as error:
        _refuse(error)
    # A secret the hub made itself (the webchat's, under var/) is known only now.
    redact_also([*_secrets(hub.configs), *_url_passwords(hub.database.url, hub.redis_url)])
    atexit.register(hub.close)
    return hub


def _configured_urls(configs: Sequence[LoadedConfig[HubConfig]]) -> list[str]:
    """The connection URLs the hub may use, before it is built (their passwords are secrets)."""
    settings = configs[0].config
    found = [os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")]
    return [url for url in (*found, settings.storage.url, settings.broker.url) if url]


def _plain(text: object) -> Text:
    """Text printed as written: no Rich markup, no emoji codes (`broken.yaml:100:14`)."""
    return Text(str(text))


def _refuse(error: StartupError) -> NoReturn:
    """A process that cannot start says what to set, and exits 1 without a traceback."""
    err.print(f"Cannot start: {error}", markup=False, highlight=False, emoji=False)
    raise typer.Exit(1) from None


def _print_issues(error: ConfigError) -> None:
    err.print(f"[red]{len(error.issues)} problem(s) in the configuration:[/red]")
    for issue in error.issues:
        err.print(_plain(issue), highlight=False)


def _secrets(configs: Sequence[object]) -> list[str]:
    """Every secret value in the configs, so the logs can redact them."""
    from pydantic import BaseModel, SecretStr

    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    for loaded in configs:
        walk(getattr(loaded, "config", None))
    return found


def _url_passwords(*urls: str) -> list[str]:
    """Passwords inside connection URLs, which must not reach the logs either."""
    from urllib.parse import urlsplit

    return [password for url in urls if (password := urlsplit(url).password)]


@app.command()
def validate(config: ConfigOption = None) -> None:
    """Check the configuration; exit 0 if valid, 1 with every problem listed otherwise."""
    configs = _validated(config)
    for loaded in configs:
        community = loaded.config.community
        rituals = ", ".join(loaded.config.ritual_sections()) or "none"
        platforms = ", ".join(loaded.config.platform_sections()) or "none"
        line = f" {loaded.source}: {community.name} ({community.id}) — platforms: {platforms}; rituals: {rituals}"
        out.print(Text("✓", "green") + _plain(line), highlight=False)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write the JSON Schema of a community file, for editor autocompletion."""
    document = config_model().model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "Hub community configuration"
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(_plain(f"Schema written to {output}"), highlight=False)


@app.command()
def schedule(
    config: ConfigOption = None, days: Annotated[int, typer.Option(min=1, max=366)] = 14
) -> None:
    """Print the upcoming occurrences of every scheduled ritual."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from hub.core.usecases.scheduler import upcoming

    hub = _load(config)
    table = Table(title=f"Upcoming occurrences, next {days} days")
    for column in ("community", "ritual", "local time", "UTC"):
        table.add_column(column)
    for item in upcoming(hub.communities, datetime.now(UTC), days):
        local = item.at.astimezone(ZoneInfo(item.timezone))
        table.add_row(
            _plain(item.community_id),
            _plain(item.ritual),
            _plain(local.strftime("%a %Y-%m-%d %H:%M %Z")),
            _plain(item.at.strftime("%Y-%m-%d %H:%M")),
        )
    out.print(table)


@ritual_app.command("run")
def ritual_run(
    name: str,
    config: ConfigOption = None,
    community: Annotated[
        str | None, typer.Option(help="Community id (default: every community with this ritual).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what each space would receive; send nothing.")
    ] = False,
) -> None:
    """Fire one occurrence of a ritual now."""
    hub = _load(config)
    targets = [c for c, r in hub.communities.items() if r.ritual(name) and community in (None, c)]
    if not targets:
        err.print(Text(f"No community has the ritual '{name}' enabled.", "red"))
        raise typer.Exit(1)
    hub.database.upgrade() if hub.database.url.startswith("sqlite") else None
    for community_id in targets:
        if dry_run:
            _print_preview(hub, community_id, name)
        else:
            _fire(hub, community_id, name)


_GOING = ("queued", "waiting")  # a later part waits for the one before it, then goes


def _print_preview(hub: Hub, community_id: str, name: str) -> None:
    previews = hub.service.preview_occurrence(community_id, name)
    sendable = sum(1 for p in previews if p.state in _GOING)
    out.print(
        Text(community_id, "bold") + _plain(f" · {name}: {sendable} message(s) would be sent"),
        highlight=False,
    )
    for line in _window_summary(hub, community_id, previews):
        out.print(_plain(line), highlight=False)
    for preview in previews:
        where = f"{preview.platform} {'DM ' if preview.private else '#'}{preview.space or preview.address}"
        if preview.space and preview.address != _space_address(hub, community_id, preview):
            where += f" → {preview.address}"
        held = "" if preview.state in _GOING else f", {preview.state}"
        out.rule(_plain(f"{where} (part {preview.part + 1}{held})"))
        if preview.note:
            out.print(_plain(f"({preview.note})"), highlight=False)
        out.print(
            _plain(
                preview.payload.get("text")
                or preview.payload.get("body")
                or json.dumps(preview.payload, ensure_ascii=False, indent=2)
            ),
            highlight=False,
        )


def _space_address(hub: Hub, community_id: str, preview: Preview) -> str | None:
    spaces = hub.communities[community_id].spaces_named(preview.space or "", preview.platform)
    return spaces[0].address if spaces and not spaces[0].opt_in_list else None


def _window_summary(hub: Hub, community_id: str, previews: list[Preview]) -> list[str]:
    """Per platform with a reply window (WhatsApp): who is inside it, and what the others get."""
    lines = []
    for platform in sorted({p.platform for p in previews}):
        adapter = hub.adapters.get((community_id, platform))
        if adapter is None or adapter.capabilities.reply_window is None:
            continue
        kinds: dict[str, set[str]] = {k: set() for k in ("inside", "template", "held", "skipped")}
        for p in (p for p in previews if p.platform == platform):
            kind = "template" if "content_sid" in p.payload else p.state
            kinds.get(kind, kinds["inside"]).add(p.address)
        outside = len(kinds["template"]) + len(kinds["held"]) + len(kinds["skipped"])
        lines.append(
            f"{platform}: {len(kinds['inside'])} member(s) inside the 24-hour window, "
            f"{outside} outside ({len(kinds['template'])} by approved template, "
            f"{len(kinds['held'])} held until they write, {len(kinds['skipped'])} skipped)"
        )
    return lines


def _fire(hub: Hub, community_id: str, name: str) -> None:
    from hub.runtime import actors_for

    actors = actors_for(hub)
    occurrence_id = hub.scheduler().fire_now(community_id, name)
    actors.run_ritual.send(occurrence_id)
    out.print(
        _plain(
            f"Queued {name} for {community_id} (occurrence {occurrence_id}); a running worker will send it."
        ),
        highlight=False,
    )


@telegram_app.command("set-webhook")
def telegram_set_webhook(config: ConfigOption = None) -> None:
    """Register POST /webhooks/telegram (with its secret and allowed updates) for every bot."""
    import asyncio

    from hub.adapters.telegram.settings import TelegramSettings
    from hub.adapters.telegram.setup import register_webhook

    configs = _validated(config)
    public_url = configs[0].config.server.public_url
    if public_url is None:
        err.print(
            "[red]server.public_url is not set[/red]: Telegram needs a public HTTPS address (or leave it unset and the hub polls)."
        )
        raise typer.Exit(1)
    for loaded in configs:
        section = loaded.config.platform_sections().get("telegram")
        if isinstance(section, TelegramSettings):
            try:
                url = asyncio.run(register_webhook(section, public_url))
            except Exception as error:  # an owner gets one clear line, never the token
                message = str(error).replace(section.token.get_secret_value(), "[redacted]")
                err.print(Text(f"{loaded.config.community.id}:", "red") + _plain(f" {message}"))
                raise typer.Exit(1) from None
            community = loaded.config.community.id
            out.print(_plain(f"{community}: Telegram will post updates to {url}"), highlight=False)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply database migrations (idempotent)."""
    hub = _load(config)
    hub.database.upgrade()
    out.print("Database is up to date.")


@inbox_app.command("list")
def inbox_list(
    config: ConfigOption = None,
    community: Annotated[str | None, typer.Option(help="Only this community's.")] = None,
) -> None:
    """Dead letters: events that failed every attempt, with the last error; exit 1 if any."""
    letters = _load(config).inbox.dead_letters(community)
    table = Table(title=f"Dead letters: {len(letters)}")
    for column in ("id", "community", "platform", "kind", "received (UTC)", "attempts", "error"):
        table.add_column(column)
    for letter in letters:
        received = letter.received_at.strftime("%Y-%m-%d %H:%M")
        cells = (letter.id, letter.community_id, letter.platform, letter.kind, received)
        table.add_row(*(_plain(c) for c in (*cells, letter.attempts, letter.last_error or "")))
    out.print(table)
    if letters:
        raise typer.Exit(1)


@inbox_app.command("retry")
def inbox_retry(
    ids: Annotated[list[int], typer.Argument(help="Dead letter ids, from `hub inbox list`.")],
    config: ConfigOption = None,
) -> None:
    """Hand dead letters to the workers again, with a fresh set of attempts."""
    from hub.runtime import actors_for

    hub = _load(config)
    retried = hub.inbox.retry(ids)
    actors = actors_for(hub)
    for inbox_id in retried:
        actors.handle_event.send(inbox_id)
    missing = sorted(set(ids) - set(retried))
    out.print(_plain(f"Queued again: {retried or 'none'}"), highlight=False)
    if missing:
        err.print(_plain(f"Not dead letters (unknown or already processed): {missing}"))
        raise typer.Exit(1)


HostOption = Annotated[str | None, typer.Option(help="Listen address (default: server.host).")]
PortOption = Annotated[int | None, typer.Option(help="Listen port (default: server.port).")]


@app.command()
def serve(config: ConfigOption = None, host: HostOption = None, port: PortOption = None) -> None:
    """Serve HTTP: webhooks, webchat, /healthz and /metrics."""
    from hub.runtime import serve_http

    try:
        serve_http(_load(config), host, port)
    except StartupError as error:
        _refuse(error)


@app.command()
def worker(
    config: ConfigOption = None, threads: Annotated[int, typer.Option(min=1, max=64)] = 8
) -> None:
    """Process events, rituals and deliveries from the queue."""
    from hub.runtime import run_worker

    run_worker(_load(config), threads)


@app.command()
def scheduler(config: ConfigOption = None) -> None:
    """Fire scheduled rituals (safe to run several: each occurrence is claimed once)."""
    from hub.runtime import run_scheduler_process

    run_scheduler_process(_load(config))


@app.command()
def gateway(config: ConfigOption = None) -> None:
    """Hold the connections webhooks cannot replace: Discord's gateway, Telegram polling."""
    from hub.runtime import run_gateway

    status = run_gateway(_load(config))
    if status:
        raise typer.Exit(status)


@app.command()
def health(
    role: Annotated[Role, typer.Argument(help="The process this container runs.")],
    config: ConfigOption = None,
) -> None:
    """Exit 0 when this host's worker, scheduler or gateway beats and database and broker answer.

    The container health check of the processes that serve no HTTP (`hub serve` has /healthz).
    """
    from workers.health import check

    hub = _load(config)
    problems = check(hub.database, hub.redis_url, role)
    for problem in problems:
        err.print(f"{role}: {problem}", markup=False, highlight=False)
    if problems:
        raise typer.Exit(1)
    out.print(f"{role}: healthy", markup=False, highlight=False)


@app.command()
def run(
    config: ConfigOption = None,
    threads: Annotated[int, typer.Option(min=1, max=64)] = 4,
    host: HostOption = None,
    port: PortOption = None,
) -> None:
    """Everything in one process: HTTP server, workers and scheduler (embedded defaults)."""
    from hub.runtime import run_all

    try:
        run_all(_load(config, keep_secret=True), threads, host, port)
    except StartupError as error:
        _refuse(error)
