"""Followed tags and the tag entity, user domain blocks, endorsements and preferences."""

from __future__ import annotations

from sqlalchemy import insert

from fediverse.ids import now_ms
from fediverse.storage.tables import accounts
from tests.web.mastodon.conftest import Instance, Member, snapshot
from tests.web.mastodon.part2_support import member


async def post(instance: Instance, who: Member, text: str, **extra: object) -> str:
    answer = await instance.client.post(
        "/api/v1/statuses", json={"status": text, **extra}, headers=who.headers
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


async def test_followed_tags_feed_home_and_the_tag_entity_has_a_week_of_history(
    instance: Instance,
) -> None:
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    c = instance.client
    unknown = await c.get("/api/v1/tags/Fritids", headers=anna.headers)
    assert unknown.status_code == 200
    assert unknown.json()["following"] is False
    assert len(unknown.json()["history"]) == 7
    followed = await c.post("/api/v1/tags/Fritids/follow", headers=anna.headers)
    assert followed.json()["following"] is True
    again = await c.post("/api/v1/tags/fritids/follow", headers=anna.headers)
    assert again.status_code == 200
    tagged = await post(instance, bo, "Ny termin på #fritids i dag")
    await post(instance, bo, "Privat om #fritids", visibility="private")
    await post(instance, bo, "Utan tagg")
    home = (await c.get("/api/v1/timelines/home", headers=anna.headers)).json()
    assert [s["id"] for s in home] == [tagged], "only the public tagged post, bo is not followed"
    shown = (await c.get("/api/v1/tags/fritids", headers=anna.headers)).json()
    assert shown["history"][0]["uses"] == "2" and shown["history"][0]["accounts"] == "1"
    assert shown["url"].endswith("/tags/fritids")
    listed = await c.get("/api/v1/followed_tags", headers=anna.headers)
    assert [t["name"] for t in listed.json()] == ["Fritids"]
    found = await c.get("/api/v2/search", params={"q": "#fritids"}, headers=anna.headers)
    assert found.json()["hashtags"][0]["following"] is True
    await c.post("/api/v1/tags/fritids/unfollow", headers=anna.headers)
    assert (await c.get("/api/v1/followed_tags", headers=anna.headers)).json() == []
    signed_out = (await c.get("/api/v1/tags/fritids")).json()
    assert "following" not in signed_out
    reader = await member(instance, "cilla", scopes="read")
    before = await snapshot(instance.store)
    assert (await c.post("/api/v1/tags/x/follow", headers=reader.headers)).status_code == 403
    assert (
        await c.post("/api/v1/tags/inte-en-tagg/follow", headers=anna.headers)
    ).status_code == 404
    assert (await c.get("/api/v1/tags/%20", headers=anna.headers)).status_code == 404
    assert await snapshot(instance.store) == before


async def test_domain_blocks_hide_a_domains_posts_and_followers(instance: Instance) -> None:
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    c = instance.client
    remote_id = instance.store.new_id()
    async with instance.store.write() as conn:
        await conn.execute(
            insert(accounts).values(
                id=remote_id,
                username="eva",
                domain="kommun-b.test",
                uri="https://kommun-b.test/users/eva",
                created_at=now_ms(),
                updated_at=now_ms(),
            )
        )
    await post(instance, bo, "Lokalt inlägg")
    for bad, status in [
        ({}, 400),
        ({"domain": "inte en domän"}, 422),
        ({"domain": "kommun-a.test"}, 422),
    ]:
        answer = await c.post("/api/v1/domain_blocks", json=bad, headers=anna.headers)
        assert answer.status_code == status, bad
    blocked = await c.post(
        "/api/v1/domain_blocks", data={"domain": "https://Kommun-B.test/"}, headers=anna.headers
    )
    assert blocked.status_code == 200
    await c.post("/api/v1/domain_blocks", json={"domain": "kommun-c.test"}, headers=anna.headers)
    listed = await c.get("/api/v1/domain_blocks", params={"limit": 1}, headers=anna.headers)
    assert listed.json() == ["kommun-c.test"] and 'rel="next"' in listed.headers["link"]
    from fediverse.domain_blocks import blocked_account_ids

    async with instance.store.read() as conn:
        hidden = [r[0] for r in await conn.fetch_all(blocked_account_ids(anna.account_id))]
    assert hidden == [remote_id]
    public = (await c.get("/api/v1/timelines/public", headers=anna.headers)).json()
    assert [s["account"]["username"] for s in public] == ["bo"]
    removed = await c.request(
        "DELETE", "/api/v1/domain_blocks", json={"domain": "kommun-b.test"}, headers=anna.headers
    )
    assert removed.status_code == 200
    assert (await c.get("/api/v1/domain_blocks", headers=anna.headers)).json() == ["kommun-c.test"]
    await c.post("/api/v1/domain_blocks", json={"domain": "kommun-b.test"}, headers=anna.headers)
    related = await c.get(
        "/api/v1/accounts/relationships", params={"id[]": str(remote_id)}, headers=anna.headers
    )
    assert related.json()[0]["domain_blocking"] is True
    reader = await member(instance, "cilla", scopes="read")
    denied = await c.post(
        "/api/v1/domain_blocks", json={"domain": "x.test"}, headers=reader.headers
    )
    assert denied.status_code == 403


async def test_endorsements_and_preferences(instance: Instance) -> None:
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    c = instance.client
    refused = await c.post(f"/api/v1/accounts/{bo.account_id}/pin", headers=anna.headers)
    assert refused.status_code == 422, "only a followed account can be featured"
    await c.post(f"/api/v1/accounts/{bo.account_id}/follow", headers=anna.headers)
    pinned = await c.post(f"/api/v1/accounts/{bo.account_id}/pin", headers=anna.headers)
    assert pinned.status_code == 200
    assert pinned.json()["endorsed"] is True and pinned.json()["following"] is True
    listed = await c.get("/api/v1/endorsements", headers=anna.headers)
    assert [a["username"] for a in listed.json()] == ["bo"]
    related = await c.get(
        "/api/v1/accounts/relationships", params={"id[]": str(bo.account_id)}, headers=anna.headers
    )
    assert related.json()[0]["endorsed"] is True
    unpinned = await c.post(f"/api/v1/accounts/{bo.account_id}/unpin", headers=anna.headers)
    assert unpinned.json()["endorsed"] is False
    assert (await c.get("/api/v1/endorsements", headers=anna.headers)).json() == []
    assert (await c.post("/api/v1/accounts/999/pin", headers=anna.headers)).status_code == 404
    reader = await member(instance, "cilla", scopes="read")
    assert (
        await c.post(f"/api/v1/accounts/{bo.account_id}/pin", headers=reader.headers)
    ).status_code == 403

    await c.patch(
        "/api/v1/accounts/update_credentials",
        data={"source[privacy]": "private", "source[sensitive]": "true", "source[language]": "sv"},
        headers=anna.headers,
    )
    prefs = (await c.get("/api/v1/preferences", headers=anna.headers)).json()
    assert prefs["posting:default:visibility"] == "private"
    assert prefs["posting:default:sensitive"] is True
    assert prefs["posting:default:language"] == "sv"
    assert prefs["reading:expand:media"] == "default"
    writer = await member(instance, "dag", scopes="write")
    assert (await c.get("/api/v1/preferences", headers=writer.headers)).status_code == 403


async def test_featured_tags__add_list_suggest_and_remove(instance: Instance) -> None:
    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    c = instance.client
    await post(instance, anna, "Om #Matematik i dag")
    await post(instance, anna, "Mer #matematik och #fysik")
    suggested = (await c.get("/api/v1/featured_tags/suggestions", headers=anna.headers)).json()
    assert [t["name"] for t in suggested] == ["Matematik", "fysik"]
    made = await c.post("/api/v1/featured_tags", json={"name": "#matematik"}, headers=anna.headers)
    assert made.status_code == 200, made.text
    entity = made.json()
    assert entity["statuses_count"] == "2" and entity["last_status_at"] is not None
    assert entity["url"].endswith("/@anna/tagged/matematik")
    shown = (await c.get(f"/api/v1/accounts/{anna.account_id}/featured_tags")).json()
    assert [t["name"] for t in shown] == ["Matematik"]
    assert [
        t["name"] for t in (await c.get("/api/v1/featured_tags", headers=anna.headers)).json()
    ] == ["Matematik"]
    for body in ({}, {"name": "inte en tagg"}, {"name": "matematik"}):
        answer = await c.post("/api/v1/featured_tags", json=body, headers=anna.headers)
        assert answer.status_code in (400, 422), body
    gone = f"/api/v1/featured_tags/{entity['id']}"
    assert (await c.delete(gone, headers=bo.headers)).status_code == 404
    assert (await c.delete(gone, headers=anna.headers)).json() == {}
    assert (await c.get("/api/v1/featured_tags", headers=anna.headers)).json() == []
    reader = await member(instance, "cilla", scopes="read")
    denied = await c.post("/api/v1/featured_tags", json={"name": "x"}, headers=reader.headers)
    assert denied.status_code == 403
