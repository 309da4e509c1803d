"""Groups through /api/v1/groups and the Mastodon API, in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
from sqlalchemy import select

from federation.outgoing import actor_update
from federation.service import build_federation
from fediverse.storage.tables import jobs
from tests.web.mastodon.conftest import Instance, Member


async def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _create(instance: Instance, owner: Member, name: str, **fields: Any) -> dict[str, Any]:
    data = {"name": name, **fields}
    return await _ok(await instance.client.post("/api/v1/groups", data=data, headers=owner.headers))


async def _post(instance: Instance, member: Member, text: str, **fields: Any) -> Any:
    return await instance.client.post(
        "/api/v1/statuses", data={"status": text, **fields}, headers=member.headers
    )


async def _federate_kinds(instance: Instance) -> list[str]:
    async with instance.store.read() as conn:
        rows = await conn.fetch_all(select(jobs.c.payload).where(jobs.c.name == "federate"))
    return [orjson.loads(r[0])["kind"] for r in rows]


async def test_groups__create_shows_the_creator_as_admin_and_the_group_as_an_account(
    instance: Instance,
) -> None:
    anna = await instance.member("anna")
    group = await _create(instance, anna, "forskola", display_name="Förskola", privacy="open")
    assert group["privacy"] == "open"
    assert group["membership"] == "admin"
    assert group["members_count"] == 1
    assert group["account"]["group"] is True
    account = await _ok(await instance.client.get(f"/api/v1/accounts/{group['id']}"))
    assert account["group"] is True
    mine = await _ok(await instance.client.get("/api/v1/groups?mine=true", headers=anna.headers))
    assert [g["name"] for g in mine] == ["forskola"]
    members = await _ok(
        await instance.client.get(f"/api/v1/groups/{group['id']}/members", headers=anna.headers)
    )
    assert [(m["account"]["username"], m["role"]) for m in members] == [("anna", "admin")]


async def test_groups__bad_input_is_a_clear_422_and_a_taken_name_409(instance: Instance) -> None:
    anna = await instance.member("anna")
    for data, word in (
        ({"name": "Bad Name!"}, "name"),
        ({"name": "ok", "privacy": "secret"}, "privacy"),
        ({"name": "ok", "partner_domains": "not_a_domain"}, "partner_domains"),
    ):
        response = await instance.client.post("/api/v1/groups", data=data, headers=anna.headers)
        assert response.status_code == 422, response.text
        assert word in response.json()["error"]
    await _create(instance, anna, "taken")
    response = await instance.client.post(
        "/api/v1/groups", data={"name": "anna"}, headers=anna.headers
    )
    assert response.status_code == 409
    assert "error" in response.json()
    missing = await instance.client.get("/api/v1/groups/123", headers=anna.headers)
    assert missing.status_code == 404


async def test_groups__a_member_post_reaches_every_member_once_and_the_group_timeline(
    instance: Instance,
) -> None:
    anna, bo, cia = [await instance.member(n) for n in ("anna", "bo", "cia")]
    group = await _create(instance, anna, "lag", privacy="open")
    joined = await _ok(
        await instance.client.post(f"/api/v1/groups/{group['id']}/join", headers=bo.headers)
    )
    assert joined["membership"] == "member"
    status = await _ok(await _post(instance, bo, "@lag hej alla"))
    posts = await _ok(
        await instance.client.get(f"/api/v1/groups/{group['id']}/posts", headers=anna.headers)
    )
    assert [p["id"] for p in posts] == [status["id"]]
    home = await _ok(await instance.client.get("/api/v1/timelines/home", headers=anna.headers))
    assert [s["id"] for s in home].count(status["id"]) == 1
    refused = await _post(instance, cia, "@lag får jag vara med?")
    assert refused.status_code == 403
    assert "members" in refused.json()["error"]
    kinds = await _federate_kinds(instance)
    assert "group.announce_activity" in kinds and "group.announce_object" in kinds


async def test_groups__a_reply_in_a_group_thread_is_a_group_post(instance: Instance) -> None:
    anna, bo = await instance.member("anna"), await instance.member("bo")
    group = await _create(instance, anna, "lag", privacy="open")
    await instance.client.post(f"/api/v1/groups/{group['id']}/join", headers=bo.headers)
    first = await _ok(await _post(instance, anna, "@lag tråden"))
    reply = await _ok(await _post(instance, bo, "svar", in_reply_to_id=first["id"]))
    posts = await _ok(
        await instance.client.get(f"/api/v1/groups/{group['id']}/posts", headers=bo.headers)
    )
    assert [p["id"] for p in posts] == [reply["id"], first["id"]]


async def test_groups__closed_group_join_waits_for_a_moderator(instance: Instance) -> None:
    anna, bo, cia = (
        await instance.member("anna"),
        await instance.member("bo"),
        await instance.member("cia"),
    )
    group = await _create(instance, anna, "stangd", privacy="closed")
    gid = group["id"]
    asked = await _ok(await instance.client.post(f"/api/v1/groups/{gid}/join", headers=bo.headers))
    assert asked["membership"] == "pending"
    await instance.client.post(f"/api/v1/groups/{gid}/join", headers=cia.headers)
    posts = await instance.client.get(f"/api/v1/groups/{gid}/posts", headers=bo.headers)
    assert posts.status_code == 403
    not_mod = await instance.client.get(f"/api/v1/groups/{gid}/join_requests", headers=bo.headers)
    assert not_mod.status_code == 403
    requests = await _ok(
        await instance.client.get(f"/api/v1/groups/{gid}/join_requests", headers=anna.headers)
    )
    assert {r["account"]["username"] for r in requests} == {"bo", "cia"}
    await _ok(
        await instance.client.post(
            f"/api/v1/groups/{gid}/join_requests/{bo.account_id}/approve", headers=anna.headers
        )
    )
    await _ok(
        await instance.client.post(
            f"/api/v1/groups/{gid}/join_requests/{cia.account_id}/reject", headers=anna.headers
        )
    )
    shown = await _ok(await instance.client.get(f"/api/v1/groups/{gid}", headers=bo.headers))
    assert shown["membership"] == "member"
    assert (
        await instance.client.get(f"/api/v1/groups/{gid}/posts", headers=bo.headers)
    ).status_code == 200
    shown = await _ok(await instance.client.get(f"/api/v1/groups/{gid}", headers=cia.headers))
    assert shown["membership"] is None


async def test_groups__joining_by_following_as_mastodon_apps_do(instance: Instance) -> None:
    anna, bo = await instance.member("anna"), await instance.member("bo")
    group = await _create(instance, anna, "lag", privacy="open")
    rel = await _ok(
        await instance.client.post(f"/api/v1/accounts/{group['id']}/follow", headers=bo.headers)
    )
    assert rel["following"] is True
    status = await _ok(await _post(instance, bo, "@lag via appen"))
    posts = await _ok(
        await instance.client.get(f"/api/v1/groups/{group['id']}/posts", headers=anna.headers)
    )
    assert [p["id"] for p in posts] == [status["id"]]
    await _ok(await instance.client.post(f"/api/v1/groups/{group['id']}/leave", headers=bo.headers))
    assert (await _post(instance, bo, "@lag igen")).status_code == 403


async def test_groups__ban_refuses_posts_and_rejoining(instance: Instance) -> None:
    anna, bo = await instance.member("anna"), await instance.member("bo")
    group = await _create(instance, anna, "lag", privacy="open")
    gid = group["id"]
    await instance.client.post(f"/api/v1/groups/{gid}/join", headers=bo.headers)
    not_mod = await instance.client.post(
        f"/api/v1/groups/{gid}/bans", data={"account_id": anna.account_id}, headers=bo.headers
    )
    assert not_mod.status_code == 403
    await _ok(
        await instance.client.post(
            f"/api/v1/groups/{gid}/bans", data={"account_id": bo.account_id}, headers=anna.headers
        )
    )
    refused = await _post(instance, bo, "@lag hallå?")
    assert refused.status_code == 403
    rejoin = await instance.client.post(f"/api/v1/groups/{gid}/join", headers=bo.headers)
    assert rejoin.status_code == 403
    assert "banned" in rejoin.json()["error"]
    banned = await _ok(
        await instance.client.get(f"/api/v1/groups/{gid}/bans", headers=anna.headers)
    )
    assert [b["account"]["username"] for b in banned] == ["bo"]


async def test_groups__moderators_remove_posts_and_may_be_alone_in_starting_threads(
    instance: Instance,
) -> None:
    anna, bo = await instance.member("anna"), await instance.member("bo")
    group = await _create(instance, anna, "kanal", privacy="open")
    gid = group["id"]
    await instance.client.post(f"/api/v1/groups/{gid}/join", headers=bo.headers)
    post = await _ok(await _post(instance, bo, "@kanal olämpligt"))
    assert (
        await instance.client.delete(f"/api/v1/groups/{gid}/posts/{post['id']}", headers=bo.headers)
    ).status_code == 403
    await _ok(
        await instance.client.delete(
            f"/api/v1/groups/{gid}/posts/{post['id']}", headers=anna.headers
        )
    )
    gone = await instance.client.get(f"/api/v1/statuses/{post['id']}", headers=anna.headers)
    assert gone.status_code == 404
    await _ok(
        await instance.client.patch(
            f"/api/v1/groups/{gid}",
            data={"moderators_only_start_threads": "true", "display_name": "Kanalen"},
            headers=anna.headers,
        )
    )
    refused = await _post(instance, bo, "@kanal ny tråd")
    assert refused.status_code == 403
    assert "moderators" in refused.json()["error"]
    thread = await _ok(await _post(instance, anna, "@kanal nyhet"))
    await _ok(await _post(instance, bo, "tack", in_reply_to_id=thread["id"]))
    shown = await _ok(await instance.client.get(f"/api/v1/groups/{gid}", headers=bo.headers))
    assert shown["display_name"] == "Kanalen"


async def test_groups__internal_group_is_invisible_to_other_servers(instance: Instance) -> None:
    anna = await instance.member("anna")
    await _create(instance, anna, "intern", privacy="internal")
    open_group = await _create(instance, anna, "oppen", privacy="open")
    domain = instance.settings.domain
    finger = await instance.client.get(f"/.well-known/webfinger?resource=acct:intern@{domain}")
    assert finger.status_code == 404
    actor = await instance.client.get(
        "/users/intern", headers={"Accept": "application/activity+json"}
    )
    assert actor.status_code == 404
    found = await instance.client.get(f"/.well-known/webfinger?resource=acct:oppen@{domain}")
    assert found.status_code == 200
    document = (
        await instance.client.get("/users/oppen", headers={"Accept": "application/activity+json"})
    ).json()
    assert document["type"] == "Group"
    assert document["attributedTo"] == f"{open_group['uri']}/moderators"
    moderators = (await instance.client.get("/users/oppen/moderators")).json()
    assert moderators["orderedItems"] == [f"{instance.settings.base_url}/users/anna"]
    post = await _ok(await _post(instance, anna, "@intern bara här", local_only="false"))
    async with instance.store.read() as conn:
        from fediverse.storage.tables import statuses

        local_only = await conn.fetch_val(
            select(statuses.c.local_only).where(statuses.c.id == int(post["id"]))
        )
    assert local_only is True


async def test_groups__a_closed_group_post_is_for_its_members_only(instance: Instance) -> None:
    anna, bo, cia = [await instance.member(n) for n in ("anna", "bo", "cia")]
    group = await _create(instance, anna, "stangd", privacy="closed")
    gid = group["id"]
    await instance.client.post(f"/api/v1/groups/{gid}/join", headers=bo.headers)
    await _ok(
        await instance.client.post(
            f"/api/v1/groups/{gid}/join_requests/{bo.account_id}/approve", headers=anna.headers
        )
    )
    post = await _ok(await _post(instance, anna, "@stangd bara för oss", visibility="public"))
    assert post["visibility"] == "private"
    seen = await instance.client.get(f"/api/v1/statuses/{post['id']}", headers=bo.headers)
    assert seen.status_code == 200
    hidden = await instance.client.get(f"/api/v1/statuses/{post['id']}", headers=cia.headers)
    assert hidden.status_code == 404
    public = await _ok(await instance.client.get("/api/v1/timelines/public", headers=cia.headers))
    assert post["id"] not in [s["id"] for s in public]
    home = await _ok(await instance.client.get("/api/v1/timelines/home", headers=bo.headers))
    assert post["id"] in [s["id"] for s in home]


async def test_groups__editing_a_group_tells_other_servers_with_the_group_fields(
    instance: Instance,
) -> None:
    anna = await instance.member("anna")
    group = await _create(instance, anna, "lag", privacy="open")
    internal = await _create(instance, anna, "intern")
    async with httpx.AsyncClient() as http, instance.store.write() as conn:
        fed = build_federation(instance.runtime, http)
        out = await actor_update(fed, conn, {"account_id": int(group["id"])})
        hidden = await actor_update(fed, conn, {"account_id": int(internal["id"])})
    assert out is not None and hidden is None
    document = out.activity["object"]
    assert document["type"] == "Group"
    assert document["attributedTo"] == f"{group['uri']}/moderators"


async def test_groups__a_member_who_follows_no_one_hears_of_a_post_on_the_stream(
    instance: Instance,
) -> None:
    anna, bo = await instance.member("anna"), await instance.member("bo")
    group = await _create(instance, anna, "lag", privacy="open")
    await instance.client.post(f"/api/v1/groups/{group['id']}/join", headers=bo.headers)
    heard = instance.runtime.events.subscribe({f"user:{bo.account_id}"})
    try:
        post = await _ok(await _post(instance, anna, "@lag nytt"))
        event = await asyncio.wait_for(heard.get(), 5)
    finally:
        heard.close()
    assert (event.name, event.data["status_id"]) == ("update", post["id"])


async def test_groups__the_group_profile_shows_its_posts_to_mastodon_apps(
    instance: Instance,
) -> None:
    anna, bo = await instance.member("anna"), await instance.member("bo")
    group = await _create(instance, anna, "lag", privacy="open")
    post = await _ok(await _post(instance, anna, "@lag syns i profilen"))
    shown = await _ok(
        await instance.client.get(f"/api/v1/accounts/{group['id']}/statuses", headers=bo.headers)
    )
    assert [s["id"] for s in shown] == [post["id"]]


async def test_groups__a_new_role_in_a_federated_group_tells_other_servers_once(
    instance: Instance,
) -> None:
    anna, bo = await instance.member("anna"), await instance.member("bo")
    federated = await _create(instance, anna, "lag", privacy="open")
    internal = await _create(instance, anna, "intern")
    for group in (federated, internal):
        gid = group["id"]
        await _ok(await instance.client.post(f"/api/v1/groups/{gid}/join", headers=bo.headers))
    before = (await _federate_kinds(instance)).count("actor.update")
    for group, role in (
        (federated, "moderator"),
        (federated, "moderator"),
        (internal, "moderator"),
    ):
        path = f"/api/v1/groups/{group['id']}/members/{bo.account_id}/role"
        await _ok(await instance.client.post(path, data={"role": role}, headers=anna.headers))
    assert (await _federate_kinds(instance)).count("actor.update") == before + 1
    path = f"/api/v1/groups/{federated['id']}/members/{bo.account_id}/role"
    await _ok(await instance.client.post(path, data={"role": "member"}, headers=anna.headers))
    assert (await _federate_kinds(instance)).count("actor.update") == before + 2
