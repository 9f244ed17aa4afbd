"""Every route refuses an over-large body with 413 as it streams in, before reading it whole.

The limits are the README's: 1,000,000 bytes under /webhooks/, 16,384 under /chat/.
"""

from __future__ import annotations

import socket

import pytest
from starlette.routing import Route

from hub.adapters.webchat.rooms import MAX_BODY as CHAT_LIMIT
from hub.adapters.wire import MAX_BODY as WEBHOOK_LIMIT
from tests.fakes.server import BackgroundServer
from tests.hostile import TELEGRAM_SECRET
from tests.web.conftest import WebHub


def post_routes(web: WebHub) -> list[str]:
    """Every POST path of the app, with the path parameters of a real room."""
    routes = [r for r in web.client.app.routes if isinstance(r, Route)]  # type: ignore[attr-defined]
    paths = [r.path for r in routes if "POST" in (r.methods or ())]
    return [p.format(community="inside-freelancing", space="main") for p in paths]


def limit_of(path: str) -> int:
    return CHAT_LIMIT if path.startswith("/chat/") else WEBHOOK_LIMIT


def test_every_post_route_refuses_a_declared_length_over_its_limit(web_hub: WebHub) -> None:
    paths = post_routes(web_hub)
    assert {"/webhooks/telegram", "/webhooks/slack/events", "/webhooks/whatsapp"} <= set(paths)
    assert "/chat/inside-freelancing/main/messages" in paths
    for path in paths:
        body = b"{" + b" " * limit_of(path) + b"}"
        response = web_hub.client.post(path, content=body)
        assert response.status_code == 413, path
    assert web_hub.kept.events == []


def test_a_body_at_the_limit_is_read(web_hub: WebHub) -> None:
    body = b"{" + b" " * (WEBHOOK_LIMIT - 2) + b"}"
    response = web_hub.client.post("/webhooks/slack/events", content=body)
    assert response.status_code == 401  # read, then refused for its missing signature


@pytest.mark.parametrize("path", ["/webhooks/telegram", "/chat/inside-freelancing/main/join"])
def test_a_streamed_body_is_cut_off_at_its_limit_without_waiting_for_the_rest(
    web_hub: WebHub, path: str
) -> None:
    """Chunked, with no length: the first chunk goes over the limit and the rest never comes.
    A route that buffered the whole body would wait for it until the client gave up."""
    app = web_hub.client.app  # type: ignore[attr-defined]
    with (
        BackgroundServer(app) as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection,
    ):
        chunk = b"x" * (limit_of(path) + 1)
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
            f"X-Telegram-Bot-Api-Secret-Token: {TELEGRAM_SECRET}\r\n"  # so the route reads
            "Transfer-Encoding: chunked\r\n\r\n".encode()
            + f"{len(chunk):x}\r\n".encode()
            + chunk
            + b"\r\n"
        )
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert web_hub.kept.events == []
