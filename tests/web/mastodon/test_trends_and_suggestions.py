"""Trends and follow suggestions, computed from local activity."""

from __future__ import annotations

from tests.web.mastodon.conftest import Instance, Member
from tests.web.mastodon.part2_support import member


async def post(instance: Instance, who: Member, text: str, **extra: object) -> str:
    answer = await instance.client.post(
        "/api/v1/statuses", json={"status": text, **extra}, headers=who.headers
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


async def test_trends__tags_by_people_and_statuses_by_interactions(instance: Instance) -> None:
    anna, bo, cilla = [await member(instance, n) for n in ("anna", "bo", "cilla")]
    c = instance.client
    await post(instance, anna, "Om #lönerevision")
    await post(instance, anna, "Mer om #lönerevision och #fika")
    await post(instance, bo, "#fika i dag")
    await post(instance, cilla, "#fika igen")
    await post(instance, cilla, "hemlig #lönerevision", visibility="private")
    quiet = await post(instance, anna, "Ingen bryr sig")
    liked = await post(instance, bo, "Alla gillar detta", local_only=False)
    loved = await post(instance, cilla, "Mest omtyckt", local_only=False)
    for who in (anna, cilla):
        await c.post(f"/api/v1/statuses/{liked}/favourite", headers=who.headers)
    for who in (anna, bo):
        await c.post(f"/api/v1/statuses/{loved}/favourite", headers=who.headers)
    await c.post(f"/api/v1/statuses/{loved}/reblog", headers=anna.headers)

    tags = (await c.get("/api/v1/trends/tags", headers=anna.headers)).json()
    assert [t["name"] for t in tags] == ["fika", "lönerevision"]
    assert tags[0]["history"][0]["accounts"] == "3"
    assert tags[0]["following"] is False
    assert [t["name"] for t in (await c.get("/api/v1/trends", params={"limit": 1})).json()] == [
        "fika"
    ]
    statuses = (await c.get("/api/v1/trends/statuses", headers=anna.headers)).json()
    assert [s["id"] for s in statuses] == [loved, liked]
    assert quiet not in [s["id"] for s in statuses]
    signed_out = (await c.get("/api/v1/trends/statuses")).json()
    assert [s["id"] for s in signed_out] == [loved, liked]
    assert (await c.get("/api/v1/trends/links")).json() == []
    assert (await c.get("/api/v1/trends/tags", params={"offset": "-1"})).status_code == 422
    assert (await c.get("/api/v1/trends/statuses", params={"limit": "x"})).status_code == 422


async def test_suggestions__friends_of_friends_first_then_the_most_followed(
    instance: Instance,
) -> None:
    anna, bo, cilla, dag, eva = [
        await member(instance, n) for n in ("anna", "bo", "cilla", "dag", "eva")
    ]
    c = instance.client

    async def follow(who: Member, whom: Member) -> None:
        await c.post(f"/api/v1/accounts/{whom.account_id}/follow", headers=who.headers)

    await follow(anna, bo)
    await follow(bo, cilla)
    await follow(dag, eva)
    await follow(cilla, eva)
    found = (await c.get("/api/v2/suggestions", headers=anna.headers)).json()
    assert [(s["account"]["username"], s["sources"]) for s in found][:2] == [
        ("cilla", ["friends_of_friends"]),
        ("eva", ["most_followed"]),
    ]
    names = [s["account"]["username"] for s in found]
    assert "anna" not in names and "bo" not in names, "not oneself, not those followed"
    dismissed = await c.delete(f"/api/v1/suggestions/{cilla.account_id}", headers=anna.headers)
    assert dismissed.status_code == 200
    v1 = (await c.get("/api/v1/suggestions", headers=anna.headers)).json()
    assert "cilla" not in [a["username"] for a in v1]
    assert (await c.delete("/api/v1/suggestions/999", headers=anna.headers)).status_code == 404
    assert (await c.get("/api/v2/suggestions")).status_code == 401
    writer = await member(instance, "fia", scopes="write")
    assert (await c.get("/api/v2/suggestions", headers=writer.headers)).status_code == 403
