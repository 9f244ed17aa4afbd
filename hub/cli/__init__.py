"""`hub`: the one command owners and ops use. Every command takes --config FILE|DIR.

One module per group of commands; importing them registers them on `app` (`hub = "hub.cli:app"`).
"""

from __future__ import annotations

from hub.cli import configuration, maintenance, processes, rituals
from hub.cli.apps import app

__all__ = ["app", "configuration", "maintenance", "processes", "rituals"]
