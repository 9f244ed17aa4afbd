"""Commands about the configuration itself: `validate`, `schema`, `schedule`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from hub.bootstrap import config_model
from hub.cli.apps import app
from hub.cli.console import out, plain
from hub.cli.loading import ConfigOption, load, validated


@app.command()
def validate(config: ConfigOption = None) -> None:
    """Check the configuration; exit 0 if valid, 1 with every problem listed otherwise."""
    for loaded in validated(config):
        community = loaded.config.community
        rituals = ", ".join(loaded.config.ritual_sections()) or "none"
        platforms = ", ".join(loaded.config.platform_sections()) or "none"
        line = f" {loaded.source}: {community.name} ({community.id}) — platforms: {platforms}; rituals: {rituals}"
        out.print(Text("✓", "green") + plain(line), highlight=False)


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
        out.print(plain(f"Schema written to {output}"), highlight=False)


@app.command()
def schedule(
    config: ConfigOption = None, days: Annotated[int, typer.Option(min=1, max=366)] = 14
) -> None:
    """Print the upcoming occurrences of every scheduled ritual."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from hub.core.usecases.scheduler import upcoming

    hub = load(config)
    table = Table(title=f"Upcoming occurrences, next {days} days")
    for column in ("community", "ritual", "local time", "UTC"):
        table.add_column(column)
    for item in upcoming(hub.communities, datetime.now(UTC), days):
        local = item.at.astimezone(ZoneInfo(item.timezone))
        table.add_row(
            plain(item.community_id),
            plain(item.ritual),
            plain(local.strftime("%a %Y-%m-%d %H:%M %Z")),
            plain(item.at.strftime("%Y-%m-%d %H:%M")),
        )
    out.print(table)
