"""Announcements: admins make them (audited), members list, dismiss and react, admins see
who read each; events on the user stream."""

from __future__ import annotations

import asyncio

import orjson
from sqlalchemy import select, update

from fediverse.storage.tables import audit_log, users
from tests.web.mastodon.conftest import Instance, snapshot
from tests.web.mastodon.part2_support import member
from web.streaming.render import payload_for
from web.streaming.streams import open_stream


async def test_announcements__made_by_an_admin_read_dismissed_and_reacted_to(
    instance: Instance,
) -> None:
    admin = await member(instance, "chef", scopes="read write admin:read admin:write")
    async with instance.store.write() as conn:
        await conn.execute(update(users).where(users.c.id == admin.user_id).values(role="admin"))
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    c = instance.client
    stream = await open_stream(instance.runtime, "user", {}, anna.account_id)
    events = instance.runtime.events.subscribe(set(stream.topics))

    made = await c.post(
        "/api/v1/admin/announcements",
        json={"text": "Personalfest fredag 15.00!", "ends_at": "2099-01-01T00:00:00Z"},
        headers=admin.headers,
    )
    assert made.status_code == 200, made.text
    entity = made.json()
    assert entity["content"] == "<p>Personalfest fredag 15.00!</p>"
    assert entity["ends_at"] == "2099-01-01T00:00:00.000Z"
    event = await asyncio.wait_for(events.get(), 2)
    assert event.name == "announcement"
    payload = await payload_for(instance.runtime, anna.account_id, event)
    assert payload is not None and orjson.loads(payload)["id"] == entity["id"]
    hidden = await c.post(
        "/api/v1/admin/announcements",
        json={"text": "Utkast", "published": False},
        headers=admin.headers,
    )
    assert hidden.json()["published"] is False

    listed = (await c.get("/api/v1/announcements", headers=anna.headers)).json()
    assert [a["id"] for a in listed] == [entity["id"]] and listed[0]["read"] is False
    one = f"/api/v1/announcements/{entity['id']}"
    assert (await c.put(one + "/reactions/🎉", headers=anna.headers)).json() == {}
    await c.put(one + "/reactions/🎉", headers=bo.headers)
    reaction = await asyncio.wait_for(events.get(), 2)
    assert reaction.name == "announcement.reaction"
    assert (await c.put(one + "/reactions/tada", headers=anna.headers)).status_code == 422
    [shown] = (await c.get("/api/v1/announcements", headers=bo.headers)).json()
    assert shown["reactions"] == [
        {"name": "🎉", "count": 2, "me": True, "url": None, "static_url": None}
    ]
    await c.delete(one + "/reactions/🎉", headers=bo.headers)
    assert (await c.post(one + "/dismiss", headers=anna.headers)).json() == {}
    assert (await c.get("/api/v1/announcements", headers=anna.headers)).json() == []
    again = await c.get(
        "/api/v1/announcements", params={"with_dismissed": "true"}, headers=anna.headers
    )
    assert again.json()[0]["read"] is True
    assert again.json()[0]["reactions"][0]["count"] == 1

    read_by = await c.get(
        f"/api/v1/admin/announcements/{entity['id']}/read_by", headers=admin.headers
    )
    assert [a["username"] for a in read_by.json()["accounts"]] == ["anna"]
    assert read_by.json()["unread_count"] == 2
    everything = (await c.get("/api/v1/admin/announcements", headers=admin.headers)).json()
    assert len(everything) == 2
    changed = await c.put(
        f"/api/v1/admin/announcements/{entity['id']}",
        json={"text": "Flyttad till 16.00"},
        headers=admin.headers,
    )
    assert "16.00" in changed.json()["content"]
    assert (
        await c.delete(f"/api/v1/admin/announcements/{entity['id']}", headers=admin.headers)
    ).status_code == 200
    async with instance.store.read() as conn:
        actions = [r[0] for r in await conn.fetch_all(select(audit_log.c.action))]
    assert actions.count("announcement.create") == 2 and "announcement.delete" in actions
    events.close()


async def test_announcements__refused_to_members_and_on_bad_input(instance: Instance) -> None:
    admin = await member(instance, "chef", scopes="read write admin:read admin:write")
    async with instance.store.write() as conn:
        await conn.execute(update(users).where(users.c.id == admin.user_id).values(role="admin"))
    anna = await member(instance, "anna", scopes="read write admin:read admin:write")
    no_scope = await member(instance, "bo")
    c = instance.client
    before = await snapshot(instance.store)
    not_admin = await c.post(
        "/api/v1/admin/announcements", json={"text": "x"}, headers=anna.headers
    )
    assert not_admin.status_code == 403
    assert (await c.get("/api/v1/admin/announcements", headers=no_scope.headers)).status_code == 403
    for body in (
        {},
        {"text": ""},
        {"text": "x", "starts_at": "i morgon"},
        {"text": "x", "starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"},
    ):
        answer = await c.post("/api/v1/admin/announcements", json=body, headers=admin.headers)
        assert answer.status_code in (400, 422), body
    for method, path in [
        ("POST", "/api/v1/announcements/123/dismiss"),
        ("PUT", "/api/v1/announcements/123/reactions/🎉"),
    ]:
        assert (await c.request(method, path, headers=anna.headers)).status_code == 404
    assert (
        await c.get("/api/v1/admin/announcements/1/read_by", headers=admin.headers)
    ).status_code == 404
    assert await snapshot(instance.store) == before
