"""HTTP: health, metrics, and malformed webchat requests rejected with a 4xx and nothing queued."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from hub.core.model.events import ButtonClicked, Event, MemberJoined, MessageReceived
from hub.runtime import build_app
from tests.builders import compose, write_config


class Recorder:
    """Stands in for the queue: keeps what listeners enqueue."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)


@pytest.fixture
def web(
    tmp_path: Path, redis_url: str, redis_client: Any
) -> Iterator[tuple[TestClient, Recorder, Any]]:
    """The web app on an empty Redis (member names are unique per community)."""
    hub = compose(write_config(tmp_path), f"sqlite:///{tmp_path}/hub.db", redis_url)
    recorder = Recorder()
    from hub.web.app import create_app

    listeners = hub.listeners(recorder)
    routes = [route for listener in listeners for route in listener.routes()]
    app = create_app(
        database=hub.database,
        redis_url=hub.redis_url,
        routes=routes,
        rooms=[("inside-freelancing", "main")],
    )
    # One event loop for the whole test: the listener's Redis connections belong to it.
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, recorder, hub


def test_health_is_ok_when_database_and_broker_answer(
    web: tuple[TestClient, Recorder, Any],
) -> None:
    client, _, _ = web
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_is_503_naming_what_is_down(tmp_path: Path, redis_url: str) -> None:
    hub = compose(write_config(tmp_path), f"sqlite:///{tmp_path}/hub.db", "redis://127.0.0.1:1/0")
    from workers.actors import declare_actors
    from workers.broker import make_broker

    client = TestClient(build_app(hub, declare_actors(make_broker(hub.redis_url), hub)))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("unavailable")


def test_metrics_expose_events_and_deliveries_by_platform_and_state(
    web: tuple[TestClient, Recorder, Any],
) -> None:
    client, _, hub = web
    joined = client.post("/chat/inside-freelancing/main/join", json={"name": "Zoé"})
    assert joined.status_code == 200
    hub.service.handle_event(web[1].events[0])
    text = client.get("/metrics").text
    assert 'hub_deliveries{platform="webchat",state="queued"} 2.0' in text


def bearer(client: TestClient, name: str) -> dict[str, str]:
    """Join as `name`; the header that proves it on later requests."""
    joined = client.post("/chat/inside-freelancing/main/join", json={"name": name})
    assert joined.status_code == 200, joined.text
    return {"Authorization": f"Bearer {joined.json()['token']}"}


def test_joining_and_writing_become_events(web: tuple[TestClient, Recorder, Any]) -> None:
    client, recorder, _ = web
    me = bearer(client, "  Zoé  ")
    posted = client.post(
        "/chat/inside-freelancing/main/messages",
        json={"text": "Bonjour !", "reply_to": None},
        headers=me,
    )
    assert posted.status_code == 200
    joined, said = recorder.events
    assert isinstance(joined, MemberJoined) and joined.actor.display_name == "Zoé"
    assert isinstance(said, MessageReceived) and said.text == "Bonjour !"
    assert said.message_id == posted.json()["message_id"]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/chat/inside-freelancing/nowhere/join", {"name": "Zoé"}, 404),
        ("/chat/unknown/main/join", {"name": "Zoé"}, 404),
        ("/chat/inside-freelancing/main/join", {"name": ""}, 422),
        ("/chat/inside-freelancing/main/join", {"name": "x" * 61}, 422),
        ("/chat/inside-freelancing/main/join", ["not", "an", "object"], 422),
        (
            "/chat/inside-freelancing/main/messages",
            {"user_id": "u", "token": "forged", "name": "Zoé", "text": "hi"},
            403,
        ),
        ("/chat/inside-freelancing/main/messages", {"text": "hi"}, 403),
    ],
)
def test_malformed_or_forged_requests_get_a_4xx_and_enqueue_nothing(
    web: tuple[TestClient, Recorder, Any], path: str, body: object, status: int
) -> None:
    client, recorder, _ = web
    assert client.post(path, json=body).status_code == status
    assert recorder.events == []


def test_a_non_json_body_is_a_400(web: tuple[TestClient, Recorder, Any]) -> None:
    client, recorder, _ = web
    me = bearer(client, "Zoé")
    response = client.post(
        "/chat/inside-freelancing/main/messages", content=b"\xff\xfe{not json", headers=me
    )
    assert response.status_code == 400
    assert len(recorder.events) == 1  # only the join


def test_a_valid_member_cannot_post_empty_or_huge_messages(
    web: tuple[TestClient, Recorder, Any],
) -> None:
    client, recorder, _ = web
    me = bearer(client, "Zoé")
    for text in ("", "   ", "x" * 4001, 42):
        response = client.post(
            "/chat/inside-freelancing/main/messages", json={"text": text}, headers=me
        )
        assert response.status_code == 422
    assert len(recorder.events) == 1  # only the join


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    endpoint=st.sampled_from(["join", "messages"]),
    body=st.one_of(json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=200)),
)
def test_no_inbound_body_ever_causes_a_5xx(
    web: tuple[TestClient, Recorder, Any], endpoint: str, body: bytes
) -> None:
    client, recorder, _ = web
    before = len(recorder.events)
    response = client.post(f"/chat/inside-freelancing/main/{endpoint}", content=body)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert len(recorder.events) == before


def test_a_button_press_on_the_page_is_a_button_clicked(
    web: tuple[TestClient, Recorder, Any],
) -> None:
    client, recorder, _ = web
    me = bearer(client, "Zoé")
    body = {"action": "vote", "value": "12:0", "message_id": "1-0"}
    click = "/chat/inside-freelancing/main/click"
    assert client.post(click, json=body, headers=me).status_code == 200
    forged = {"Authorization": "Bearer " + "x" * 43}
    assert client.post(click, json=body, headers=forged).status_code == 403
    assert client.post(click, json={**body, "action": ""}, headers=me).status_code == 422
    clicked = recorder.events[-1]
    assert isinstance(clicked, ButtonClicked) and (
        clicked.action,
        clicked.value,
        clicked.message_id,
    ) == ("vote", "12:0", "1-0")
    assert len(recorder.events) == 2
