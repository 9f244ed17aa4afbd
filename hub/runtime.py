"""Process runners: what `hub serve`, `worker`, `scheduler` and `run` actually start."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from typing import Any

import structlog
import uvicorn
from starlette.applications import Starlette

from hub.bootstrap import Hub
from hub.core.ports import Listener
from hub.web.app import create_app
from workers.actors import Actors, declare_actors
from workers.broker import make_broker
from workers.health import Heartbeat, Role, beating
from workers.processes import event_enqueuer, run_scheduler, start_worker, worker_alive

log = structlog.get_logger(__name__)


def actors_for(hub: Hub) -> Actors:
    """The actors on a broker set up from the hub's broker settings."""
    heartbeat = hub.settings.broker.heartbeat_timeout.total_seconds()
    return declare_actors(
        make_broker(hub.redis_url, heartbeat_timeout_ms=int(heartbeat * 1000)), hub
    )


def build_app(hub: Hub, actors: Actors, listeners: list[Listener] | None = None) -> Starlette:
    """The web app with every platform listener's routes."""
    listeners = hub.listeners(event_enqueuer(hub.inbox, actors)) if listeners is None else listeners
    routes: list[Any] = [route for listener in listeners for route in listener.routes()]
    limits = {k: v for listener in listeners for k, v in listener.body_limits.items()}
    return create_app(
        database=hub.database,
        redis_url=hub.redis_url,
        routes=routes,
        rooms=_rooms(hub),
        body_limits=limits,
    )


def _address(hub: Hub, host: str | None, port: int | None) -> tuple[str, int]:
    server = hub.settings.server
    return host or server.host, port or server.port


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """Make SIGTERM stop the process the way Ctrl-C does, through every `finally`.

    uvicorn handles both signals while it serves, then restores the handlers it found and
    raises the signal again: with the default SIGTERM handler that killed the process on the
    spot, before any clean-up (the embedded redis-server was left running).
    """
    signal.signal(signal.SIGTERM, _interrupt)


def serve_http(hub: Hub, host: str | None = None, port: int | None = None) -> None:
    """`hub serve`, until SIGTERM/SIGINT."""
    host, port = _address(hub, host, port)
    stop_on_sigterm()
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.run(
            build_app(hub, actors_for(hub)),
            host=host,
            port=port,
            log_config=None,
            access_log=False,
        )


def _stop_on_signals() -> threading.Event:
    """An event that SIGTERM (docker stop) and SIGINT (Ctrl-C) set."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


WATCH_EVERY = 5.0  # seconds between two checks that every worker thread still runs


def run_worker(hub: Hub, threads: int) -> None:
    """`hub worker`: consume until SIGTERM/SIGINT, beating while its threads run.

    A consumer thread can die in a long Redis outage (Dramatiq gives up on it); then the
    process exits with status 1 instead of running half-dead, for its supervisor to restart.
    """
    actors = actors_for(hub)
    hub.delivery.resize(threads)
    worker = start_worker(actors.deliver.broker, threads)
    stop = _stop_on_signals()
    with beating(hub.redis_url, Role.WORKER, lambda: worker_alive(worker)):
        while not stop.wait(WATCH_EVERY):
            if not worker_alive(worker):
                log.error("worker.thread_died", hint="exiting so the supervisor restarts it")
                raise SystemExit(1)
    log.info("worker.stopping")
    worker.stop()


def run_scheduler_process(hub: Hub) -> None:
    """`hub scheduler`: tick until SIGTERM/SIGINT, beating after every tick."""
    actors = actors_for(hub)
    stop = _stop_on_signals()
    heartbeat = Heartbeat(hub.redis_url, Role.SCHEDULER)
    try:
        run_scheduler(hub, actors, stop, heartbeat=heartbeat)
    finally:
        heartbeat.stop()


class Connections:
    """The listeners' long-lived connections (Telegram polling, Discord gateway) in a thread."""

    def __init__(self, listeners: list[Listener]) -> None:
        self.holders = [listener for listener in listeners if listener.holds_connections]
        self.loop = asyncio.new_event_loop()
        self.stopping = asyncio.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="connections", daemon=True)

    def start(self) -> Connections:
        """Run the connections in their thread (nothing to do when no listener holds any)."""
        if self.holders:
            self.thread.start()
        else:
            self.loop.close()
        return self

    def _run(self) -> None:
        async def main() -> None:
            await asyncio.gather(*(holder.background(self.stopping) for holder in self.holders))

        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(main())
        except Exception as error:  # returned by `wait`, logged for `hub run`
            self.error = error
            log.error("connections.failed", error=str(error), kind=type(error).__name__)
        finally:
            self._close_loop()

    def _close_loop(self) -> None:
        """Cancel what the connections left running, then close the loop cleanly."""
        leftover = asyncio.all_tasks(self.loop)
        for task in leftover:
            task.cancel()
        self.loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    def stop(self, timeout: float = 10) -> None:
        """Ask every connection to close, and wait for them."""
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.stopping.set)
            self.thread.join(timeout)

    def wait(self, stop: threading.Event) -> BaseException | None:
        """Block until `stop` is set or the connections end; returns what ended them, if any."""
        while not stop.wait(0.5):
            if not self.thread.is_alive():
                return self.error
        return None


def run_gateway(hub: Hub) -> int:
    """`hub gateway`: hold the connections webhooks cannot replace, until SIGTERM/SIGINT.

    With nothing to hold (every platform on webhooks) it says so once and waits, healthy:
    exiting would only make the container's restart policy start it again and again.
    Returns the process exit status: 1 when a connection failed (a refused Discord intent…).
    """
    listeners = hub.listeners(event_enqueuer(hub.inbox, actors_for(hub)))
    holding = [item for item in listeners if item.holds_connections]
    stop = _stop_on_signals()
    if not holding:
        log.info("gateway.nothing_to_hold", waiting_for="SIGTERM")
        with beating(hub.redis_url, Role.GATEWAY):
            stop.wait()
        return 0
    connections = Connections(holding).start()
    with beating(hub.redis_url, Role.GATEWAY, connections.thread.is_alive):
        error = connections.wait(stop)
    connections.stop()
    return 1 if error is not None else 0


def run_all(hub: Hub, threads: int, host: str | None = None, port: int | None = None) -> None:
    """`hub run`: migrate the database, then server, workers and scheduler in one process.

    Ctrl-C and SIGTERM stop it the same way: the server, then the connections, the scheduler
    and the workers, then the embedded redis-server, whatever point start-up had reached.
    """
    stop_on_sigterm()
    with contextlib.ExitStack() as cleanup, contextlib.suppress(KeyboardInterrupt):
        cleanup.callback(hub.close)
        hub.database.upgrade()
        actors = actors_for(hub)
        listeners = hub.listeners(event_enqueuer(hub.inbox, actors))
        app = build_app(hub, actors, listeners)  # StartupError before anything runs
        hub.delivery.resize(threads)
        cleanup.callback(start_worker(actors.deliver.broker, threads).stop)
        stop = threading.Event()
        cleanup.callback(stop.set)
        threading.Thread(
            target=run_scheduler, args=(hub, actors, stop), name="scheduler", daemon=True
        ).start()
        host, port = _address(hub, host, port)
        for community_id, name in _rooms(hub):
            print(
                f"Webchat ready: open http://{host}:{port}/chat/{community_id}/{name}", flush=True
            )
        cleanup.callback(Connections(listeners).start().stop)
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
        )
    log.info("hub.stopped")


def _rooms(hub: Hub) -> list[tuple[str, str]]:
    return [
        (community_id, name)
        for community_id, runtime in hub.communities.items()
        for platform, section in runtime.config.platform_sections().items()
        if platform == "webchat"
        for name in section.spaces
    ]
