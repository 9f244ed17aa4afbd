"""Webchat identity: a member is whoever holds their session token, and nothing else.

The attacker here, Mallory, is a member who reads the room and even knows the webchat secret
(a compose default, a leaked `.env`): she still cannot read Zoé's private stream, post as Zoé
or as the hub, or confirm Zoé's forget-me.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from hub.core.model.events import CommandInvoked, MemberJoined, MessageReceived
from tests.adapters.webchat.conftest import BASE, SECRET, Chat


def public_strings(chat: Chat) -> set[str]:
    """Every string a member's page shows them about the room."""
    found: set[str] = set()
    for entry in chat.room_entries():
        found |= {str(value) for value in entry.values() if value}
    found |= {str(value) for value in json.loads(_room_config(chat)).values()}
    return found


def _room_config(chat: Chat) -> str:
    page = chat.client.get(BASE).text
    start = page.index("const room = ") + len("const room = ")
    return page[start : page.index(";\n", start)]


def forged(user_id: str) -> str:
    """What a token was before: an HMAC of the user id, which the secret's holder can compute."""
    message = f"inside-freelancing:{user_id}".encode()
    return hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()


def stream_attempts(candidate: str) -> list[dict[str, Any]]:
    """Ways to open someone's event stream with one public string."""
    legacy = {"user_id": candidate, "token": forged(candidate), "name": "Zoé"}
    return [
        {"params": legacy},
        {"params": {"ticket": candidate}},
        {"params": {"token": candidate}},
        {"headers": {"Authorization": f"Bearer {candidate}".encode()}},
    ]


def private_to(chat: Chat, headers: dict[str, str], text: str) -> None:
    """Write a private hub message to the member behind `headers`, as the sender would."""
    from hub.adapters.webchat.names import name_key
    from hub.adapters.webchat.streams import encode, private_stream

    name = chat.client.post(f"{BASE}/ticket", headers=headers).json()["name"]
    user_id = chat.redis.hget("hub:webchat:inside-freelancing:names", name_key(name))
    assert user_id is not None
    entry = {"author": "hub", "html": f"<p>{text}</p>", "text": text, "private": True}
    chat.redis.xadd(private_stream("inside-freelancing", user_id.decode()), encode(entry))


def test_what_the_room_shows_never_opens_another_members_private_stream(chat: Chat) -> None:
    zoe = chat.join("Zoé")
    chat.join("Mallory")
    chat.say(zoe, "Coucou")
    http = chat.client
    for candidate in public_strings(chat):
        for attempt in stream_attempts(candidate):
            with http.stream("GET", f"{BASE}/events", timeout=10, **attempt) as response:
                assert response.status_code == 403, (candidate, attempt)
    # Zoé herself opens it with a ticket, once.
    private_to(chat, zoe.headers, "ton code de liaison : 123456")
    ticket = http.post(f"{BASE}/ticket", headers=zoe.headers).json()["ticket"]
    with http.stream("GET", f"{BASE}/events", params={"ticket": ticket}, timeout=10) as own:
        assert own.status_code == 200
        assert any("123456" in line for line in _lines_until(own, "123456"))
    with http.stream("GET", f"{BASE}/events", params={"ticket": ticket}) as again:
        assert again.status_code == 403


def _lines_until(response: httpx.Response, needle: str) -> list[str]:
    seen = []
    for line in response.iter_lines():
        seen.append(line)
        if needle in line:
            break
    return seen


def test_the_body_never_says_who_posts(chat: Chat) -> None:
    zoe = chat.join("Zoé")
    mallory = chat.join("Mallory")
    chat.say(zoe, "Bonjour")

    # With every public string as Zoé's id and the secret, Mallory still cannot act as Zoé.
    before = len(chat.events)
    for candidate in public_strings(chat):
        legacy = {"user_id": candidate, "token": forged(candidate), "name": "Zoé"}
        confirm = {**legacy, "text": "/hub forget-me confirm"}
        assert chat.client.post(f"{BASE}/messages", json=confirm).status_code == 403
        vote = {**legacy, "action": "vote", "value": "1:0"}
        assert chat.client.post(f"{BASE}/click", json=vote).status_code == 403
        bearer = {"Authorization": f"Bearer {candidate}".encode()}
        assert chat.client.post(f"{BASE}/messages", json=confirm, headers=bearer).status_code == 403
    assert len(chat.events) == before
    assert not any(isinstance(e, CommandInvoked) for e in chat.events)

    # Her own token with someone else's name in the body: she is still Mallory.
    for pretend in ("Zoé", "hub", "Hub"):
        body = {"name": pretend, "author": pretend, "user_id": "someone", "text": "c'est moi"}
        posted = chat.client.post(f"{BASE}/messages", json=body, headers=mallory.headers)
        assert posted.status_code == 200
    said = [e for e in chat.events if isinstance(e, MessageReceived) and e.text == "c'est moi"]
    assert {(e.actor.display_name, e.actor.user_id) for e in said} == {
        ("Mallory", said[0].actor.user_id)
    }
    assert [e["author"] for e in chat.room_entries()] == ["Zoé", "Mallory", "Mallory", "Mallory"]


def test_a_rename_is_explicit_and_checked_like_a_join(chat: Chat) -> None:
    zoe = chat.join("Zoé")
    chat.join("Ana")
    rename = f"{BASE}/rename"
    assert chat.client.post(rename, json={"name": "ana"}).status_code == 403  # no token
    taken = chat.client.post(rename, json={"name": "ANA"}, headers=zoe.headers)
    assert taken.status_code == 409
    assert taken.json()["error"] == (
        "Le nom « ANA » est déjà pris dans cette communauté ; choisis-en un autre."
    )
    assert chat.client.post(rename, json={"name": "Hub"}, headers=zoe.headers).status_code == 422
    renamed = chat.client.post(rename, json={"name": "  Zoé   Martin "}, headers=zoe.headers)
    assert renamed.status_code == 200 and renamed.json() == {"name": "Zoé Martin"}
    assert (
        chat.client.post(rename, json={"name": "zoe martin"}, headers=zoe.headers).status_code
        == 200
    )

    chat.client.post(f"{BASE}/messages", json={"text": "re"}, headers=zoe.headers)
    (said,) = [e for e in chat.events if isinstance(e, MessageReceived)]
    joined = [e for e in chat.events if isinstance(e, MemberJoined)]
    assert said.actor.display_name == "zoe martin"
    assert said.actor.user_id == joined[0].actor.user_id  # the same member, renamed
    chat.join("Zoé")  # the old name is free again


def test_names_differing_only_by_case_accents_width_or_spaces_collide(chat: Chat) -> None:
    chat.join("Zoé Martin")
    for same in (
        "zoé martin",
        "ZOE MARTIN",
        "Zoe\u0301 Martin",
        "  zoé   martin ",
        "Ｚｏé Martin",
        "Zo\u200bé Martin",
        "Zoë Martin",
    ):
        answer = chat.client.post(f"{BASE}/join", json={"name": same})
        assert answer.status_code == 409, same
        assert "déjà pris" in answer.json()["error"]
    assert chat.client.post(f"{BASE}/join", json={"name": "Zoé Martine"}).status_code == 200
    assert len([e for e in chat.events if isinstance(e, MemberJoined)]) == 2


def test_the_hubs_own_names_are_refused(chat: Chat) -> None:
    for name in ("hub", "HUB", "Hüb", "Hub (privé)", "hub (private)", "Inside  Freelancing"):
        answer = chat.client.post(f"{BASE}/join", json={"name": name})
        assert answer.status_code == 422, name
        assert "est le nom du hub" in answer.json()["error"]
    assert chat.events == []


async def test_two_concurrent_joins_cannot_take_the_same_name(chat: Chat) -> None:
    import asyncio

    async with httpx.AsyncClient(base_url=chat.url) as http:
        answers = await asyncio.gather(
            *(http.post(f"{BASE}/join", json={"name": "Léa"}) for _ in range(8))
        )
    assert sorted(a.status_code for a in answers) == [200] + [409] * 7


def test_joining_is_throttled_per_client_address(chat: Chat) -> None:
    for n in range(10):
        chat.join(f"Membre {n}")
    refused = chat.client.post(f"{BASE}/join", json={"name": "Membre 10"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    assert "Trop de nouveaux noms" in refused.json()["error"]
    assert len(chat.events) == 10
    # Another address (as a trusted proxy on the same host reports it) may still join.
    proxied = {"X-Forwarded-For": "203.0.113.7"}
    with httpx.Client(base_url=chat.url, headers=proxied, timeout=10) as elsewhere:
        chat.join("Membre 10", client=elsewhere)


def test_non_ascii_or_malformed_tokens_are_403_never_500(chat: Chat) -> None:
    chat.join("Zoé")
    bad_tokens = ["é" * 43, "zoé", "\u2603", "x" * 43, "", "a" * 10_000, "Ünïcödé-token"]
    for token in bad_tokens:
        legacy = {"user_id": "u", "token": token, "name": "Zoé"}
        for path, body in (
            ("messages", {**legacy, "text": "hi"}),
            ("click", {**legacy, "action": "vote"}),
            ("rename", {**legacy, "name": "Zed"}),
            ("ticket", legacy),
        ):
            header = f"Bearer {token}".strip().encode()
            answer = chat.client.post(
                f"{BASE}/{path}", json=body, headers={"Authorization": header}
            )
            assert answer.status_code == 403, (path, token)
        for params in ({"ticket": token}, legacy):
            assert chat.client.get(f"{BASE}/events", params=params).status_code == 403
    assert len(chat.events) == 1  # only Zoé's join
