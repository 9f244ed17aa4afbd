"""The long-running processes a deployment starts, and their health check."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli.apps import app
from hub.cli.console import err, out, refuse
from hub.cli.loading import ConfigOption, load
from hub.core.ports import StartupError
from workers.health import Role

HostOption = Annotated[str | None, typer.Option(help="Listen address (default: server.host).")]
PortOption = Annotated[int | None, typer.Option(help="Listen port (default: server.port).")]


@app.command()
def serve(config: ConfigOption = None, host: HostOption = None, port: PortOption = None) -> None:
    """Serve HTTP: webhooks, webchat, /healthz and /metrics."""
    from hub.runtime import serve_http

    try:
        serve_http(load(config), host, port)
    except StartupError as error:
        refuse(error)


@app.command()
def worker(
    config: ConfigOption = None, threads: Annotated[int, typer.Option(min=1, max=64)] = 8
) -> None:
    """Process events, rituals and deliveries from the queue."""
    from hub.runtime import run_worker

    run_worker(load(config), threads)


@app.command()
def scheduler(config: ConfigOption = None) -> None:
    """Fire scheduled rituals (safe to run several: each occurrence is claimed once)."""
    from hub.runtime import run_scheduler_process

    run_scheduler_process(load(config))


@app.command()
def gateway(config: ConfigOption = None) -> None:
    """Hold the connections webhooks cannot replace: Discord's gateway, Telegram polling."""
    from hub.runtime import run_gateway

    status = run_gateway(load(config))
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

    hub = load(config)
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
        run_all(load(config, keep_secret=True), threads, host, port)
    except StartupError as error:
        refuse(error)
