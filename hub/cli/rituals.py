"""`hub ritual run`: fire one occurrence now, or print what each space would receive."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.text import Text

from hub.bootstrap import Hub
from hub.cli.apps import ritual_app
from hub.cli.console import counted, err, out, plain
from hub.cli.loading import ConfigOption, load
from hub.core.usecases.service import Preview


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
    hub = load(config)
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
    sendable = counted(sum(1 for p in previews if p.state in _GOING), "message", "messages")
    out.print(
        Text(community_id, "bold") + plain(f" · {name}: {sendable} would be sent"),
        highlight=False,
    )
    for line in _window_summary(hub, community_id, previews):
        out.print(plain(line), highlight=False)
    for preview in previews:
        _print_part(hub, community_id, preview)


def _print_part(hub: Hub, community_id: str, preview: Preview) -> None:
    where = (
        f"{preview.platform} {'DM ' if preview.private else '#'}{preview.space or preview.address}"
    )
    if preview.space and preview.address != _space_address(hub, community_id, preview):
        where += f" → {preview.address}"
    held = "" if preview.state in _GOING else f", {preview.state}"
    out.rule(plain(f"{where} (part {preview.part + 1}{held})"))
    if preview.note:
        out.print(plain(f"({preview.note})"), highlight=False)
    out.print(
        plain(
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
        inside = counted(len(kinds["inside"]), "member", "members")
        lines.append(
            f"{platform}: {inside} inside the 24-hour window, "
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
        plain(
            f"Queued {name} for {community_id} (occurrence {occurrence_id}); a running worker will send it."
        ),
        highlight=False,
    )
