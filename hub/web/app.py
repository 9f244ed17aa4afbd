"""The HTTP app: platform routes, health, metrics, and a small index of the chat rooms."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Mapping

import redis.asyncio as aioredis
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hub.core.model.cleaning import InboundRejected
from hub.core.storage.db import Database
from hub.core.usecases.inbox import InboxUnavailable
from hub.web.limits import BodyLimit
from hub.web.metrics import DeliveryStateCollector

RETRY_AFTER_SECONDS = 10
"""What a platform is told to wait when the hub cannot keep its event right now."""


def create_app(
    *,
    database: Database,
    redis_url: str,
    routes: list[BaseRoute],
    rooms: list[tuple[str, str]],
    body_limits: Mapping[str, int] | None = None,
) -> Starlette:
    """The ASGI app served by `hub serve` and `hub run`.

    Every route's body is bounded (`body_limits` by path prefix, else `limits.DEFAULT_LIMIT`);
    an event the inbox refuses is a 400, one it cannot store now a 503 with Retry-After.
    """
    outbox_registry = CollectorRegistry(auto_describe=True)
    outbox_registry.register(DeliveryStateCollector(database))
    redis = aioredis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)

    async def healthz(_: Request) -> Response:
        checks = {
            "database": await _check(asyncio.to_thread(database.ping)),
            "broker": await _check(redis.ping()),
        }
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "unavailable", **checks},
            status_code=200 if healthy else 503,
        )

    async def metrics(_: Request) -> Response:
        outbox = await asyncio.to_thread(generate_latest, outbox_registry)
        return Response(generate_latest(REGISTRY) + outbox, media_type=CONTENT_TYPE_LATEST)

    async def index(_: Request) -> Response:
        links = "".join(
            f'<li><a href="/chat/{html.escape(c)}/{html.escape(s)}">{html.escape(c)} · #{html.escape(s)}</a></li>'
            for c, s in rooms
        )
        return HTMLResponse(f"<!doctype html><title>Hub</title><h1>Hub</h1><ul>{links}</ul>")

    core_routes: list[BaseRoute] = [
        Route("/", index),
        Route("/healthz", healthz),
        Route("/metrics", metrics),
    ]
    return Starlette(
        routes=core_routes + routes,
        middleware=[Middleware(BodyLimit, limits=body_limits)],
        exception_handlers={
            InboundRejected: _rejected,
            InboxUnavailable: _unavailable,
        },
    )


async def _rejected(_: Request, error: Exception) -> Response:
    return JSONResponse({"error": f"malformed event: {error}"}, status_code=400)


async def _unavailable(_: Request, __: Exception) -> Response:
    return JSONResponse(
        {"error": "the hub cannot keep events right now; send it again later"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _check(probe: object) -> str:
    try:
        await asyncio.wait_for(probe, timeout=3)  # type: ignore[arg-type]
    except Exception as error:
        return f"unavailable: {type(error).__name__}"
    return "ok"
