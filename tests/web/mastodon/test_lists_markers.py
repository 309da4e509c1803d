"""Lists (CRUD, members, timeline, exclusive, replies policy) and markers, through the API."""

from __future__ import annotations

from tests.web.mastodon.conftest import Instance, Member, snapshot
from tests.web.mastodon.part2_support import member


async def post(instance: Instance, who: Member, text: str, **extra: object) -> str:
    answer = await instance.client.post(
        "/api/v1/statuses", json={"status": text, **extra}, headers=who.headers
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


async def follow(instance: Instance, who: Member, whom: Member) -> None:
    answer = await instance.client.post(
        f"/api/v1/accounts/{whom.account_id}/follow", headers=who.headers
    )
    assert answer.status_code == 200, answer.text


async def test_lists__crud_members_and_a_timeline_with_its_replies_policy(
    instance: Instance,
) -> None:
    anna, bo, cilla = [await member(instance, n) for n in ("anna", "bo", "cilla")]
    c = instance.client
    made = await c.post("/api/v1/lists", json={"title": "Förskolan"}, headers=anna.headers)
    assert made.status_code == 200
    entity = made.json()
    assert entity == {
        "id": entity["id"],
        "title": "Förskolan",
        "replies_policy": "list",
        "exclusive": False,
    }
    base = f"/api/v1/lists/{entity['id']}"
    refused = await c.post(
        base + "/accounts", json={"account_ids": [bo.account_id]}, headers=anna.headers
    )
    assert refused.status_code == 422, "only followed accounts go into a list"
    await follow(instance, anna, bo)
    await follow(instance, anna, cilla)
    added = await c.post(
        base + "/accounts", data={"account_ids[]": [str(bo.account_id)]}, headers=anna.headers
    )
    assert added.status_code == 200
    members = (await c.get(base + "/accounts", headers=anna.headers)).json()
    assert [m["username"] for m in members] == ["bo"]
    of_bo = (await c.get(f"/api/v1/accounts/{bo.account_id}/lists", headers=anna.headers)).json()
    assert [x["title"] for x in of_bo] == ["Förskolan"]

    own = await post(instance, bo, "Utflykt i morgon")
    to_member = await post(instance, bo, "Svar till mig själv", in_reply_to_id=own)
    to_other = await post(instance, cilla, "Cillas inlägg")
    reply_out = await post(instance, bo, "Svar till Cilla", in_reply_to_id=to_other)
    timeline = await c.get(f"/api/v1/timelines/list/{entity['id']}", headers=anna.headers)
    assert [s["id"] for s in timeline.json()] == [to_member, own]
    assert "link" in timeline.headers
    await c.put(base, json={"replies_policy": "followed"}, headers=anna.headers)
    timeline = await c.get(f"/api/v1/timelines/list/{entity['id']}", headers=anna.headers)
    assert [s["id"] for s in timeline.json()] == [reply_out, to_member, own]
    await c.put(base, json={"replies_policy": "none", "title": "Ny titel"}, headers=anna.headers)
    timeline = await c.get(f"/api/v1/timelines/list/{entity['id']}", headers=anna.headers)
    assert [s["id"] for s in timeline.json()] == [own]

    removed = await c.request(
        "DELETE", base + "/accounts", json={"account_ids": [bo.account_id]}, headers=anna.headers
    )
    assert removed.status_code == 200
    assert (await c.get(base + "/accounts", headers=anna.headers)).json() == []
    assert (await c.delete(base, headers=anna.headers)).status_code == 200
    assert (await c.get(base, headers=anna.headers)).status_code == 404


async def test_lists__an_exclusive_list_keeps_its_members_off_the_home_timeline(
    instance: Instance,
) -> None:
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    await follow(instance, anna, bo)
    made = await instance.client.post(
        "/api/v1/lists", json={"title": "Bara här", "exclusive": True}, headers=anna.headers
    )
    list_id = made.json()["id"]
    await instance.client.post(
        f"/api/v1/lists/{list_id}/accounts",
        json={"account_ids": [str(bo.account_id)]},
        headers=anna.headers,
    )
    posted = await post(instance, bo, "Bara i listan")
    home = (await instance.client.get("/api/v1/timelines/home", headers=anna.headers)).json()
    assert posted not in [s["id"] for s in home]
    listed = await instance.client.get(f"/api/v1/timelines/list/{list_id}", headers=anna.headers)
    assert [s["id"] for s in listed.json()] == [posted]


async def test_lists__others_lists_bad_input_and_scopes_are_refused(instance: Instance) -> None:
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    reader = await member(instance, "cilla", scopes="read")
    c = instance.client
    list_id = (await c.post("/api/v1/lists", json={"title": "Min"}, headers=anna.headers)).json()[
        "id"
    ]
    before = await snapshot(instance.store)
    for method, path, body in [
        ("GET", f"/api/v1/lists/{list_id}", None),
        ("PUT", f"/api/v1/lists/{list_id}", {"title": "Stulen"}),
        ("DELETE", f"/api/v1/lists/{list_id}", None),
        ("GET", f"/api/v1/lists/{list_id}/accounts", None),
        ("GET", f"/api/v1/timelines/list/{list_id}", None),
        ("GET", "/api/v1/lists/not-a-number", None),
    ]:
        answer = await c.request(method, path, json=body, headers=bo.headers)
        assert answer.status_code == 404, (method, path)
        assert answer.json() == {"error": "Record not found"}
    bad = [
        ({"title": ""}, 400),
        ({"title": "x" * 201}, 422),
        ({"title": "ok", "replies_policy": "all"}, 422),
        ({"title": "ok", "exclusive": "kanske"}, 422),
    ]
    for body, status in bad:
        answer = await c.post("/api/v1/lists", json=body, headers=anna.headers)
        assert answer.status_code == status, body
        assert "error" in answer.json()
    no_scope = await c.post("/api/v1/lists", json={"title": "x"}, headers=reader.headers)
    assert no_scope.status_code == 403
    assert (await c.get("/api/v1/lists")).status_code == 401
    assert await snapshot(instance.store) == before


async def test_markers__set_read_and_count_versions(instance: Instance) -> None:
    anna = await member(instance, "anna")
    c = instance.client
    assert (await c.get("/api/v1/markers", headers=anna.headers)).json() == {}
    first = await c.post(
        "/api/v1/markers", data={"home[last_read_id]": "103"}, headers=anna.headers
    )
    assert first.status_code == 200
    assert first.json()["home"]["last_read_id"] == "103"
    assert first.json()["home"]["version"] == 1
    again = await c.post(
        "/api/v1/markers",
        json={"home": {"last_read_id": "105"}, "notifications": {"last_read_id": "7"}},
        headers=anna.headers,
    )
    assert again.json()["home"]["version"] == 2
    shown = await c.get(
        "/api/v1/markers", params={"timeline[]": ["home", "notifications"]}, headers=anna.headers
    )
    assert shown.json()["home"]["last_read_id"] == "105"
    assert shown.json()["notifications"]["last_read_id"] == "7"
    assert shown.json()["home"]["updated_at"].endswith("Z")
    for body in ({}, {"home": {"last_read_id": "abc"}}):
        answer = await c.post("/api/v1/markers", json=body, headers=anna.headers)
        assert answer.status_code in (400, 422)
    answer = await c.get("/api/v1/markers", params={"timeline[]": "public"}, headers=anna.headers)
    assert answer.status_code == 422
    reader = await member(instance, "bo", scopes="read")
    refused = await c.post(
        "/api/v1/markers", json={"home": {"last_read_id": "1"}}, headers=reader.headers
    )
    assert refused.status_code == 403
    assert (await c.get("/api/v1/markers")).status_code == 401


async def test_the_list_stream_reads_its_members_and_only_for_its_owner(instance: Instance) -> None:
    import pytest

    from fediverse.errors import NotFoundError, ValidationError
    from web.streaming.streams import open_stream

    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    await follow(instance, anna, bo)
    made = await instance.client.post("/api/v1/lists", json={"title": "L"}, headers=anna.headers)
    list_id = made.json()["id"]
    await instance.client.post(
        f"/api/v1/lists/{list_id}/accounts",
        json={"account_ids": [bo.account_id]},
        headers=anna.headers,
    )
    stream = await open_stream(instance.runtime, "list", {"list": list_id}, anna.account_id)
    assert stream.topics == {f"author:{bo.account_id}"}
    assert stream.label == ["list", list_id]
    with pytest.raises(NotFoundError):
        await open_stream(instance.runtime, "list", {"list": list_id}, bo.account_id)
    with pytest.raises(ValidationError):
        await open_stream(instance.runtime, "list", {}, anna.account_id)


async def test_the_list_stream_applies_the_lists_replies_policy(instance: Instance) -> None:
    from fediverse.events import Event
    from web.streaming.render import render_for
    from web.streaming.streams import open_stream

    anna, bo, cy = [await member(instance, n) for n in ("anna", "bo", "cy")]
    await follow(instance, anna, bo)
    made = await instance.client.post(
        "/api/v1/lists", json={"title": "L", "replies_policy": "list"}, headers=anna.headers
    )
    list_id = made.json()["id"]
    await instance.client.post(
        f"/api/v1/lists/{list_id}/accounts",
        json={"account_ids": [bo.account_id]},
        headers=anna.headers,
    )
    to_cy = await post(instance, cy, "en fråga")
    plain = await post(instance, bo, "hej")
    reply_to_outsider = await post(instance, bo, "@cy svar", in_reply_to_id=to_cy)
    stream = await open_stream(instance.runtime, "list", {"list": list_id}, anna.account_id)

    async def shown(status_id: str) -> bool:
        event = Event(f"author:{bo.account_id}", "update", {"status_id": status_id})
        rendered = await render_for(
            instance.runtime, anna.account_id, event, None, stream.name, stream.list_id
        )
        return rendered is not None

    assert await shown(plain)
    assert not await shown(reply_to_outsider)  # cy is no member of the list
    await instance.client.put(
        f"/api/v1/lists/{list_id}", json={"replies_policy": "none"}, headers=anna.headers
    )
    assert await shown(plain)
    await instance.client.put(
        f"/api/v1/lists/{list_id}", json={"replies_policy": "followed"}, headers=anna.headers
    )
    assert not await shown(reply_to_outsider)  # anna follows bo only
