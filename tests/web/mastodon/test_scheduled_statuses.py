"""Scheduled statuses: kept with a durable job, listed, moved, cancelled, posted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import select

from fediverse import scheduled
from fediverse.storage.tables import jobs
from tests.web.mastodon.conftest import Instance, snapshot
from tests.web.mastodon.part2_support import member


def later(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


async def test_scheduled_statuses__kept_moved_and_posted_once_by_their_job(
    instance: Instance,
) -> None:
    anna = await member(instance, "anna")
    c = instance.client
    made = await c.post(
        "/api/v1/statuses",
        json={
            "status": "Påminnelse: APT i morgon",
            "scheduled_at": later(60),
            "visibility": "unlisted",
            "poll": {"options": ["Ja", "Nej"], "expires_in": 3600},
        },
        headers=anna.headers,
    )
    assert made.status_code == 200, made.text
    entity = made.json()
    assert entity["params"]["text"] == "Påminnelse: APT i morgon"
    assert entity["params"]["visibility"] == "unlisted"
    assert entity["params"]["poll"]["options"] == ["Ja", "Nej"]
    assert (await c.get("/api/v1/timelines/home", headers=anna.headers)).json() == []
    listed = (await c.get("/api/v1/scheduled_statuses", headers=anna.headers)).json()
    assert [s["id"] for s in listed] == [entity["id"]]
    one = f"/api/v1/scheduled_statuses/{entity['id']}"
    moved = await c.put(one, json={"scheduled_at": later(120)}, headers=anna.headers)
    assert moved.json()["scheduled_at"] > entity["scheduled_at"]

    async with instance.store.read() as conn:
        payloads = [
            orjson.loads(r[0])
            for r in await conn.fetch_all(
                select(jobs.c.payload).where(jobs.c.name == scheduled.PUBLISH).order_by(jobs.c.id)
            )
        ]
    assert len(payloads) == 2, "one job per time it was scheduled for"
    await scheduled.publish(instance.runtime, payloads[0])
    assert len((await c.get("/api/v1/scheduled_statuses", headers=anna.headers)).json()) == 1
    await scheduled.publish(instance.runtime, payloads[1])
    await scheduled.publish(instance.runtime, payloads[1])
    home = (await c.get("/api/v1/timelines/home", headers=anna.headers)).json()
    assert [s["content"] for s in home] == ["<p>Påminnelse: APT i morgon</p>"], "posted once"
    assert home[0]["poll"]["options"][0]["title"] == "Ja"
    assert (await c.get(one, headers=anna.headers)).status_code == 404

    cancelled = await c.post(
        "/api/v1/statuses",
        json={"status": "Ångrar mig", "scheduled_at": later(30)},
        headers=anna.headers,
    )
    gone = f"/api/v1/scheduled_statuses/{cancelled.json()['id']}"
    assert (await c.delete(gone, headers=anna.headers)).json() == {}
    assert (await c.get("/api/v1/scheduled_statuses", headers=anna.headers)).json() == []


async def test_scheduled_statuses__bad_input_others_and_scopes(instance: Instance) -> None:
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    reader = await member(instance, "cilla", scopes="read")
    c = instance.client
    kept = await c.post(
        "/api/v1/statuses", json={"status": "Sen", "scheduled_at": later(30)}, headers=anna.headers
    )
    one = f"/api/v1/scheduled_statuses/{kept.json()['id']}"
    before = await snapshot(instance.store)
    for body in (
        {"status": "för snart", "scheduled_at": later(1)},
        {"status": "inte en tid", "scheduled_at": "i morgon"},
        {"status": "utan zon", "scheduled_at": "2099-01-01T10:00:00"},
        {"status": "", "scheduled_at": later(30)},
        {"status": "x", "scheduled_at": later(30), "media_ids": ["123"]},
    ):
        answer = await c.post("/api/v1/statuses", json=body, headers=anna.headers)
        assert answer.status_code == 422, body
        assert "error" in answer.json()
    for method in ("GET", "PUT", "DELETE"):
        answer = await c.request(method, one, json={"scheduled_at": later(40)}, headers=bo.headers)
        assert answer.status_code == 404
    assert (await c.put(one, json={}, headers=anna.headers)).status_code == 422
    assert (
        await c.put(one, json={"scheduled_at": later(2)}, headers=anna.headers)
    ).status_code == 422
    denied = await c.post(
        "/api/v1/statuses", json={"status": "x", "scheduled_at": later(30)}, headers=reader.headers
    )
    assert denied.status_code == 403
    assert await snapshot(instance.store) == before
