"""Bad input on every write endpoint: a clear 4xx in Mastodon's shape, and nothing changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.web.mastodon.conftest import Instance, Member, image_bytes, snapshot


@dataclass
class Case:
    method: str
    path: str
    status: int
    who: str = "anna"
    kwargs: dict[str, Any] = field(default_factory=dict)


def cases(ids: dict[str, str]) -> list[Case]:
    """Every refused request, with the answer Mastodon gives; ``{name}`` fills in an id."""
    big_poll = {"options": ["a", "b", "c", "d", "e"], "expires_in": 3600}
    listed: list[tuple[str, str, int, str, dict[str, Any]]] = [
        ("POST", "/api/v1/statuses", 422, "anna", {"json": {}}),
        ("POST", "/api/v1/statuses", 422, "anna", {"json": {"status": {"a": 1}}}),
        ("POST", "/api/v1/statuses", 422, "anna", {"json": {"status": "x" * 501}}),
        (
            "POST",
            "/api/v1/statuses",
            422,
            "anna",
            {"json": {"status": "x", "visibility": "hemlig"}},
        ),
        ("POST", "/api/v1/statuses", 404, "anna", {"json": {"status": "x", "in_reply_to_id": "1"}}),
        (
            "POST",
            "/api/v1/statuses",
            422,
            "anna",
            {"json": {"status": "x", "in_reply_to_id": "ab"}},
        ),
        (
            "POST",
            "/api/v1/statuses",
            404,
            "anna",
            {"json": {"status": "x", "in_reply_to_id": ids["bosse_private"]}},
        ),
        (
            "POST",
            "/api/v1/statuses",
            422,
            "anna",
            {"json": {"status": "x", "media_ids": [ids["bosse_media"]]}},
        ),
        (
            "POST",
            "/api/v1/statuses",
            422,
            "anna",
            {"json": {"status": "x", "media_ids": ["1"] * 5}},
        ),
        (
            "POST",
            "/api/v1/statuses",
            422,
            "anna",
            {"json": {"status": "x", "poll": {"options": ["a"], "expires_in": 600}}},
        ),
        ("POST", "/api/v1/statuses", 422, "anna", {"json": {"status": "x", "poll": big_poll}}),
        (
            "POST",
            "/api/v1/statuses",
            422,
            "anna",
            {"json": {"status": "x", "poll": {"options": ["a", "b"], "expires_in": 10}}},
        ),
        (
            "POST",
            "/api/v1/statuses",
            422,
            "anna",
            {"json": {"status": "x", "poll": {"options": ["a", "b"], "expires_in": "soon"}}},
        ),
        (
            "POST",
            "/api/v1/statuses",
            422,
            "anna",
            {"json": {"status": "x", "language": "svenska!"}},
        ),
        ("POST", "/api/v1/statuses", 422, "anna", {"json": {"status": "x", "sensitive": "kanske"}}),
        ("POST", "/api/v1/statuses", 403, "reader", {"json": {"status": "x"}}),
        ("POST", "/api/v1/statuses", 401, "nobody", {"json": {"status": "x"}}),
        (
            "POST",
            "/api/v1/statuses",
            400,
            "anna",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ),
        ("PUT", "/api/v1/statuses/{bosse_public}", 404, "anna", {"json": {"status": "mitt nu"}}),
        ("PUT", "/api/v1/statuses/{anna_public}", 422, "anna", {"json": {"status": ""}}),
        ("PUT", "/api/v1/statuses/{anna_public}", 403, "reader", {"json": {"status": "y"}}),
        ("DELETE", "/api/v1/statuses/{bosse_public}", 404, "anna", {}),
        ("DELETE", "/api/v1/statuses/123", 404, "anna", {}),
        ("DELETE", "/api/v1/statuses/abc", 404, "anna", {}),
        ("POST", "/api/v1/statuses/123/favourite", 404, "anna", {}),
        ("POST", "/api/v1/statuses/{bosse_private}/favourite", 404, "anna", {}),
        ("POST", "/api/v1/statuses/{bosse_public}/favourite", 403, "reader", {}),
        ("POST", "/api/v1/statuses/{bosse_private}/reblog", 404, "anna", {}),
        ("POST", "/api/v1/statuses/{anna_private}/reblog", 422, "anna", {}),
        (
            "POST",
            "/api/v1/statuses/{bosse_public}/reblog",
            422,
            "anna",
            {"data": {"visibility": "direct"}},
        ),
        ("POST", "/api/v1/statuses/{bosse_public}/pin", 422, "anna", {}),
        ("POST", "/api/v1/statuses/999/bookmark", 404, "anna", {}),
        ("POST", "/api/v1/polls/999/votes", 404, "anna", {"json": {"choices": ["0"]}}),
        ("POST", "/api/v1/polls/{anna_poll}/votes", 422, "anna", {"json": {"choices": ["0"]}}),
        ("POST", "/api/v1/polls/{anna_poll}/votes", 422, "bosse", {"json": {"choices": ["7"]}}),
        (
            "POST",
            "/api/v1/polls/{anna_poll}/votes",
            422,
            "bosse",
            {"json": {"choices": ["0", "1"]}},
        ),
        ("POST", "/api/v1/polls/{anna_poll}/votes", 422, "bosse", {"json": {}}),
        ("POST", "/api/v1/accounts/999/follow", 404, "anna", {}),
        ("POST", "/api/v1/accounts/abc/follow", 404, "anna", {}),
        ("POST", "/api/v1/accounts/{anna}/follow", 403, "anna", {}),
        ("POST", "/api/v1/accounts/{bosse}/follow", 403, "reader", {}),
        ("POST", "/api/v1/accounts/{anna}/block", 403, "anna", {}),
        ("POST", "/api/v1/accounts/999/block", 404, "anna", {}),
        ("POST", "/api/v1/accounts/{bosse}/mute", 422, "anna", {"json": {"duration": -5}}),
        ("POST", "/api/v1/accounts/{bosse}/mute", 422, "anna", {"json": {"duration": "lång"}}),
        ("POST", "/api/v1/accounts/{bosse}/note", 422, "anna", {"json": {"comment": "x" * 2001}}),
        ("POST", "/api/v1/accounts/{bosse}/unfollow", 403, "reader", {}),
        ("POST", "/api/v1/follow_requests/{bosse}/authorize", 404, "anna", {}),
        ("POST", "/api/v1/follow_requests/{bosse}/reject", 404, "anna", {}),
        (
            "PATCH",
            "/api/v1/accounts/update_credentials",
            422,
            "anna",
            {"data": {"display_name": "x" * 31}},
        ),
        (
            "PATCH",
            "/api/v1/accounts/update_credentials",
            422,
            "anna",
            {"data": {"locked": "kanske"}},
        ),
        (
            "PATCH",
            "/api/v1/accounts/update_credentials",
            422,
            "anna",
            {"data": {"source[privacy]": "hemlig"}},
        ),
        (
            "PATCH",
            "/api/v1/accounts/update_credentials",
            422,
            "anna",
            {"data": {f"fields_attributes[{i}][name]": "n" for i in range(5)}},
        ),
        (
            "PATCH",
            "/api/v1/accounts/update_credentials",
            422,
            "anna",
            {"files": {"avatar": ("a.png", b"not an image", "image/png")}},
        ),
        (
            "PATCH",
            "/api/v1/accounts/update_credentials",
            403,
            "reader",
            {"data": {"display_name": "R"}},
        ),
        ("POST", "/api/v2/media", 400, "anna", {"data": {"description": "ingen fil"}}),
        (
            "POST",
            "/api/v2/media",
            422,
            "anna",
            {"files": {"file": ("a.txt", b"hello", "text/plain")}},
        ),
        (
            "POST",
            "/api/v2/media",
            422,
            "anna",
            {"files": {"file": ("a.jpg", b"\xff\xd8" + b"0" * (16 * 1024 * 1024), "image/jpeg")}},
        ),
        (
            "POST",
            "/api/v2/media",
            422,
            "anna",
            {
                "files": {"file": ("a.png", image_bytes("PNG"), "image/png")},
                "data": {"focus": "2,0"},
            },
        ),
        (
            "POST",
            "/api/v2/media",
            422,
            "anna",
            {
                "files": {"file": ("a.png", image_bytes("PNG"), "image/png")},
                "data": {"description": "x" * 1501},
            },
        ),
        (
            "POST",
            "/api/v2/media",
            422,
            "anna",
            {"files": {"file": ("a.bmp", image_bytes("BMP"), "image/bmp")}},
        ),
        (
            "POST",
            "/api/v2/media",
            403,
            "reader",
            {"files": {"file": ("a.png", image_bytes("PNG"), "image/png")}},
        ),
        ("PUT", "/api/v1/media/{bosse_media}", 404, "anna", {"data": {"description": "min"}}),
        ("POST", "/api/v1/notifications/999/dismiss", 404, "anna", {}),
        ("POST", "/api/v1/notifications/{bosse_notification}/dismiss", 404, "anna", {}),
        ("POST", "/api/v1/notifications/clear", 403, "reader", {}),
        (
            "POST",
            "/api/v1/apps",
            400,
            "nobody",
            {"data": {"redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}},
        ),
        (
            "POST",
            "/api/v1/apps",
            422,
            "nobody",
            {"data": {"client_name": "x", "redirect_uris": "inte en uri"}},
        ),
        (
            "POST",
            "/api/v1/apps",
            400,
            "nobody",
            {
                "data": {
                    "client_name": "x",
                    "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                    "scopes": "read allt",
                }
            },
        ),
        (
            "POST",
            "/oauth/token",
            401,
            "nobody",
            {"data": {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}},
        ),
        ("POST", "/oauth/revoke", 401, "nobody", {"data": {"token": "x"}}),
    ]
    return [
        Case(method, path.format(**ids), status, who, kwargs)
        for method, path, status, who, kwargs in listed
    ]


async def prepare(instance: Instance) -> tuple[dict[str, Member], dict[str, str]]:
    anna = await instance.member("anna")
    bosse = await instance.member("bosse")
    reader = await instance.member("reader", scopes="read")
    client = instance.client

    async def post(who: Member, **body: Any) -> str:
        answer = await client.post("/api/v1/statuses", json=body, headers=who.headers)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["id"])

    media = await client.post(
        "/api/v2/media",
        files={"file": ("a.png", image_bytes("PNG"), "image/png")},
        headers=bosse.headers,
    )
    poll = await client.post(
        "/api/v1/statuses",
        json={"status": "?", "poll": {"options": ["ja", "nej"], "expires_in": 600}},
        headers=anna.headers,
    )
    await client.post(f"/api/v1/accounts/{bosse.account_id}/follow", headers=anna.headers)
    notification = (await client.get("/api/v1/notifications", headers=bosse.headers)).json()
    ids = {
        "anna": str(anna.account_id),
        "bosse": str(bosse.account_id),
        "anna_public": await post(anna, status="annas"),
        "anna_private": await post(anna, status="annas egna", visibility="private"),
        "bosse_public": await post(bosse, status="bosses"),
        "bosse_private": await post(bosse, status="bosses egna", visibility="direct"),
        "bosse_media": str(media.json()["id"]),
        "anna_poll": str(poll.json()["poll"]["id"]),
        "bosse_notification": str(notification[0]["id"]),
    }
    return {"anna": anna, "bosse": bosse, "reader": reader}, ids


async def test_every_bad_request_is_refused_and_changes_nothing(instance: Instance) -> None:
    members, ids = await prepare(instance)
    failures = []
    for case in cases(ids):
        before = await snapshot(instance.store)
        kwargs = dict(case.kwargs)
        headers = dict(kwargs.pop("headers", {}))
        if case.who in members:
            headers |= members[case.who].headers
        answer = await instance.client.request(case.method, case.path, headers=headers, **kwargs)
        body = (
            answer.json()
            if answer.headers.get("content-type", "").startswith("application/json")
            else None
        )
        shaped = isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"]
        unchanged = await snapshot(instance.store) == before
        if answer.status_code != case.status or not shaped or not unchanged:
            failures.append((case.method, case.path, case.who, answer.status_code, body, unchanged))
    assert failures == []
