"""Filters v2 (keywords, statuses, contexts, warn and hide) and the v1 view, through the API."""

from __future__ import annotations

import asyncio

import pytest

from tests.web.mastodon.conftest import Instance, Member, snapshot
from tests.web.mastodon.part2_support import member


async def post(instance: Instance, who: Member, text: str) -> str:
    answer = await instance.client.post(
        "/api/v1/statuses", json={"status": text}, headers=who.headers
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


async def test_filters__warn_and_hide_by_keyword_and_status_in_their_contexts(
    instance: Instance,
) -> None:
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    c = instance.client
    await c.post(f"/api/v1/accounts/{bo.account_id}/follow", headers=anna.headers)
    events = instance.runtime.events.subscribe({f"user:{anna.account_id}"})
    made = await c.post(
        "/api/v2/filters",
        data={
            "title": "Fotboll",
            "context[]": ["home", "public"],
            "filter_action": "warn",
            "keywords_attributes[0][keyword]": "fotboll",
            "keywords_attributes[1][keyword]": "VM",
            "keywords_attributes[1][whole_word]": "false",
        },
        headers=anna.headers,
    )
    assert made.status_code == 200, made.text
    warn = made.json()
    assert warn["filter_action"] == "warn" and warn["context"] == ["home", "public"]
    assert [(k["keyword"], k["whole_word"]) for k in warn["keywords"]] == [
        ("fotboll", True),
        ("VM", False),
    ]
    changed = await asyncio.wait_for(events.get(), 2)
    assert changed.name == "filters_changed"
    hide = await c.post(
        "/api/v2/filters",
        json={"title": "Dölj", "context": ["home"], "filter_action": "hide", "expires_in": 3600},
        headers=anna.headers,
    )
    assert hide.json()["expires_at"] is not None

    matched = await post(instance, bo, "Ser ni Fotboll i kväll?")
    inside = await post(instance, bo, "Dags för hemVMet")
    partial = await post(instance, bo, "fotbollsplanen är stängd")
    hidden = await post(instance, bo, "Ett inlägg att dölja")
    added = await c.post(
        f"/api/v2/filters/{hide.json()['id']}/statuses",
        json={"status_id": hidden},
        headers=anna.headers,
    )
    assert added.status_code == 200
    assert added.json()["status_id"] == hidden

    home = (await c.get("/api/v1/timelines/home", headers=anna.headers)).json()
    by_id = {s["id"]: s for s in home}
    assert hidden not in by_id, "a hide filter of the home context leaves the status out"
    assert by_id[matched]["filtered"][0]["keyword_matches"] == ["fotboll"]
    assert by_id[matched]["filtered"][0]["filter"]["id"] == warn["id"]
    assert by_id[inside]["filtered"][0]["keyword_matches"] == ["VM"]
    assert by_id[partial]["filtered"] == [], "a whole-word keyword does not match inside a word"
    public = (await c.get("/api/v1/timelines/public", headers=anna.headers)).json()
    shown = {s["id"]: s for s in public}[hidden]
    assert shown["filtered"][0]["status_matches"] == [added.json()["id"]]

    one = await c.get(f"/api/v1/statuses/{matched}", headers=anna.headers)
    assert one.json()["filtered"][0]["filter"]["title"] == "Fotboll"
    assert (await c.get(f"/api/v1/statuses/{matched}", headers=bo.headers)).json()["filtered"] == []
    events.close()


async def test_filters__keywords_statuses_update_and_the_v1_view(instance: Instance) -> None:
    anna = await member(instance, "anna")
    c = instance.client
    made = (
        await c.post(
            "/api/v2/filters",
            json={
                "title": "Skola",
                "context": ["thread"],
                "keywords_attributes": [{"keyword": "prov"}, {"keyword": "läxa"}],
            },
            headers=anna.headers,
        )
    ).json()
    base = f"/api/v2/filters/{made['id']}"
    first, second = made["keywords"]
    updated = await c.put(
        base,
        json={
            "title": "Skolan",
            "keywords_attributes": [
                {"id": first["id"], "keyword": "prov", "whole_word": False},
                {"id": second["id"], "_destroy": True},
                {"keyword": "betyg"},
            ],
        },
        headers=anna.headers,
    )
    assert updated.status_code == 200
    assert [k["keyword"] for k in updated.json()["keywords"]] == ["prov", "betyg"]
    assert updated.json()["keywords"][0]["whole_word"] is False
    assert updated.json()["title"] == "Skolan"
    added = await c.post(base + "/keywords", json={"keyword": "omprov"}, headers=anna.headers)
    keyword_id = added.json()["id"]
    edited = await c.put(
        f"/api/v2/filters/keywords/{keyword_id}", json={"keyword": "omtenta"}, headers=anna.headers
    )
    assert edited.json()["keyword"] == "omtenta"
    listed = (await c.get(base + "/keywords", headers=anna.headers)).json()
    assert [k["keyword"] for k in listed] == ["prov", "betyg", "omtenta"]
    v1 = (await c.get("/api/v1/filters", headers=anna.headers)).json()
    assert [(f["phrase"], f["irreversible"]) for f in v1] == [
        ("prov", False),
        ("betyg", False),
        ("omtenta", False),
    ]
    one = await c.get(f"/api/v1/filters/{keyword_id}", headers=anna.headers)
    assert one.json()["context"] == ["thread"]
    v1_made = await c.post(
        "/api/v1/filters",
        data={"phrase": "lunch", "context[]": "home", "irreversible": "true"},
        headers=anna.headers,
    )
    assert v1_made.json()["irreversible"] is True
    assert len((await c.get("/api/v2/filters", headers=anna.headers)).json()) == 2
    assert (
        await c.delete(f"/api/v1/filters/{v1_made.json()['id']}", headers=anna.headers)
    ).json() == {}
    assert len((await c.get("/api/v2/filters", headers=anna.headers)).json()) == 1
    assert (
        await c.delete(f"/api/v2/filters/keywords/{keyword_id}", headers=anna.headers)
    ).json() == {}
    assert (await c.delete(base, headers=anna.headers)).status_code == 200
    assert (await c.get(base, headers=anna.headers)).status_code == 404


async def test_filters__others_filters_bad_input_and_scopes_are_refused(instance: Instance) -> None:
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    reader = await member(instance, "cilla", scopes="read")
    c = instance.client
    made = (
        await c.post(
            "/api/v2/filters",
            json={"title": "Min", "context": ["home"], "keywords_attributes": [{"keyword": "x"}]},
            headers=anna.headers,
        )
    ).json()
    keyword_id = made["keywords"][0]["id"]
    status = await post(instance, anna, "hej")
    before = await snapshot(instance.store)
    for method, path in [
        ("GET", f"/api/v2/filters/{made['id']}"),
        ("PUT", f"/api/v2/filters/{made['id']}"),
        ("DELETE", f"/api/v2/filters/{made['id']}"),
        ("GET", f"/api/v2/filters/{made['id']}/keywords"),
        ("GET", f"/api/v2/filters/keywords/{keyword_id}"),
        ("DELETE", f"/api/v2/filters/keywords/{keyword_id}"),
        ("GET", f"/api/v1/filters/{keyword_id}"),
    ]:
        answer = await c.request(method, path, json={"title": "x"}, headers=bo.headers)
        assert answer.status_code == 404, (method, path)
    for body in [
        {"context": ["home"]},
        {"title": "t"},
        {"title": "t", "context": ["everywhere"]},
        {"title": "t", "context": ["home"], "filter_action": "burn"},
        {"title": "t", "context": ["home"], "expires_in": "soon"},
        {"title": "t", "context": ["home"], "keywords_attributes": [{"keyword": ""}]},
    ]:
        answer = await c.post("/api/v2/filters", json=body, headers=anna.headers)
        assert answer.status_code == 422, body
        assert "error" in answer.json()
    twice = await c.post(
        f"/api/v2/filters/{made['id']}/statuses", json={"status_id": "123"}, headers=anna.headers
    )
    assert twice.status_code == 404, "a status that does not exist cannot be filtered"
    no_scope = await c.post(
        "/api/v2/filters", json={"title": "t", "context": ["home"]}, headers=reader.headers
    )
    assert no_scope.status_code == 403
    assert (await c.get("/api/v2/filters")).status_code == 401
    assert await snapshot(instance.store) == before
    assert status


async def test_streams_load_the_filters_of_many_accounts_in_one_batch(
    instance: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web.streaming import render

    anna = await member(instance, "anna")
    await instance.client.post(
        "/api/v2/filters",
        json={"title": "x", "context": ["public"], "keywords_attributes": [{"keyword": "fika"}]},
        headers=anna.headers,
    )
    calls: list[list[int]] = []
    real = render.active_filters_of

    async def counting(store: object, ids: list[int]) -> object:
        calls.append(sorted(ids))
        return await real(store, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "active_filters_of", counting)
    cache = render.FilterCache()
    ids = [anna.account_id, *range(1, 200)]
    found = await asyncio.gather(*(cache.get(instance.runtime, i) for i in ids))
    assert calls == [sorted(ids)], "one query batch for every stream woken by one event"
    assert bool(found[0]) and not any(found[1:])
    await cache.get(instance.runtime, anna.account_id)
    assert len(calls) == 1, "then from the cache"
    cache.forget(anna.account_id)
    await cache.get(instance.runtime, anna.account_id)
    assert len(calls) == 2


async def test_filters__hide_in_threads_and_on_profiles(instance: Instance) -> None:
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    c = instance.client
    await c.post(
        "/api/v2/filters",
        json={
            "title": "Spoilers",
            "context": ["thread", "account"],
            "filter_action": "hide",
            "keywords_attributes": [{"keyword": "slutet"}],
        },
        headers=anna.headers,
    )
    root = await post(instance, bo, "Har ni sett serien?")
    reply = await c.post(
        "/api/v1/statuses",
        json={"status": "Slutet var bäst", "in_reply_to_id": root},
        headers=bo.headers,
    )
    thread = (await c.get(f"/api/v1/statuses/{root}/context", headers=anna.headers)).json()
    assert thread["descendants"] == []
    shown_to_bo = (await c.get(f"/api/v1/statuses/{root}/context", headers=bo.headers)).json()
    assert [s["id"] for s in shown_to_bo["descendants"]] == [reply.json()["id"]]
    profile = await c.get(f"/api/v1/accounts/{bo.account_id}/statuses", headers=anna.headers)
    assert [s["id"] for s in profile.json()] == [root]


async def test_filters__hide_notifications_whose_status_matches(instance: Instance) -> None:
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    c = instance.client
    await c.post(
        "/api/v2/filters",
        json={
            "title": "Reklam",
            "context": ["notifications"],
            "filter_action": "hide",
            "keywords_attributes": [{"keyword": "erbjudande"}],
        },
        headers=anna.headers,
    )
    await post(instance, bo, "@anna ett erbjudande!")
    kept = await post(instance, bo, "@anna en fråga")
    listed = (await c.get("/api/v1/notifications", headers=anna.headers)).json()
    assert [n["status"]["id"] for n in listed] == [kept]
    grouped = (await c.get("/api/v2/notifications", headers=anna.headers)).json()
    assert [g["status_id"] for g in grouped["notification_groups"]] == [kept]
    assert [s["id"] for s in grouped["statuses"]] == [kept]
