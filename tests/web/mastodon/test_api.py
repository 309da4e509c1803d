"""The API's shared behaviour and the rules that matter most, on the real app in-process."""

from __future__ import annotations

import io
import random
from pathlib import Path

import orjson
from PIL import Image
from sqlalchemy import insert, select

from fediverse import instances, media, tasks
from fediverse.ids import now_ms
from fediverse.jobs import JobRegistry, Worker
from fediverse.storage.tables import accounts, follow_requests, jobs
from tests.web.mastodon.conftest import Instance, Member, image_bytes


async def post(instance: Instance, who: Member, **data: object) -> dict[str, object]:
    response = await instance.client.post("/api/v1/statuses", json=data, headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def federate_jobs(instance: Instance) -> list[dict[str, object]]:
    async with instance.store.read() as conn:
        rows = await conn.fetch_all(select(jobs.c.payload).where(jobs.c.name == "federate"))
    return [orjson.loads(r[0]) for r in rows]


async def test_cors_and_trailing_slash(instance: Instance) -> None:
    preflight = await instance.client.options(
        "/api/v1/timelines/home/",
        headers={
            "Origin": "https://elk.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-headers"] == "authorization"
    assert "Link" in preflight.headers["access-control-expose-headers"]
    slashed = await instance.client.get("/api/v1/instance/")
    assert slashed.status_code == 200
    assert slashed.headers["access-control-allow-origin"] == "*"
    denied = await instance.client.get("/api/v1/timelines/home")
    assert denied.status_code == 401
    assert denied.headers["access-control-allow-origin"] == "*"


async def test_instance_v2__has_mastodons_shape_and_a_real_thumbnail(instance: Instance) -> None:
    v2 = (await instance.client.get("/api/v2/instance")).json()
    assert v2["version"] == "4.3.0 (compatible; Kollegium 0.1.0)"
    assert v2["configuration"]["statuses"]["max_characters"] == 500
    assert v2["configuration"]["urls"]["streaming"] == "ws://kommun-a.test"
    assert v2["api_versions"] == {"mastodon": 2}
    thumbnail = await instance.client.get(
        v2["thumbnail"]["url"].removeprefix("http://kommun-a.test")
    )
    assert thumbnail.status_code == 200
    assert thumbnail.headers["content-type"] == "image/png"
    v1 = (await instance.client.get("/api/v1/instance")).json()
    assert v1["urls"]["streaming_api"] == "ws://kommun-a.test"
    assert (await instance.client.get("/api/v1/instance/rules")).json() == []
    assert (await instance.client.get("/api/v1/custom_emojis")).json() == []


async def test_home_timeline__pages_with_link_headers(instance: Instance) -> None:
    anna = await instance.member("anna")
    ids = [(await post(instance, anna, status=f"inlägg {n}"))["id"] for n in range(5)]
    first = await instance.client.get(
        "/api/v1/timelines/home", params={"limit": 2, "local": "true"}, headers=anna.headers
    )
    assert [s["id"] for s in first.json()] == ids[::-1][:2]
    link = first.headers["link"]
    assert link.startswith("<http://kommun-a.test/api/v1/timelines/home?")
    assert link.index('rel="next"') < link.index('rel="prev"')
    assert f"max_id={ids[3]}" in link.split(",")[0]
    assert "local=true" in link and "limit=2" in link
    newer = await instance.client.get(
        "/api/v1/timelines/home", params={"min_id": ids[1], "limit": 2}, headers=anna.headers
    )
    assert [s["id"] for s in newer.json()] == [ids[3], ids[2]]
    clamped = await instance.client.get(
        "/api/v1/timelines/home", params={"limit": 1000}, headers=anna.headers
    )
    assert len(clamped.json()) == 5


async def test_private_and_direct_posts_are_404_to_others(instance: Instance) -> None:
    anna, bosse, cilla = (
        await instance.member("anna"),
        await instance.member("bosse"),
        await instance.member("cilla"),
    )
    private = await post(instance, anna, status="bara följare", visibility="private")
    direct = await post(instance, anna, status="@cilla hemligt", visibility="direct")
    for status in (private, direct):
        seen = await instance.client.get(f"/api/v1/statuses/{status['id']}", headers=bosse.headers)
        assert seen.status_code == 404
        assert seen.json() == {"error": "Record not found"}
    assert (
        await instance.client.get(f"/api/v1/statuses/{direct['id']}", headers=cilla.headers)
    ).status_code == 200
    await instance.client.post(f"/api/v1/accounts/{anna.account_id}/follow", headers=bosse.headers)
    assert (
        await instance.client.get(f"/api/v1/statuses/{private['id']}", headers=bosse.headers)
    ).status_code == 200
    anonymous = await instance.client.get(f"/api/v1/statuses/{private['id']}")
    assert anonymous.status_code == 404


async def test_local_only__default_on_and_only_other_posts_federate(instance: Instance) -> None:
    anna = await instance.member("anna")
    internal = await post(instance, anna, status="internt")
    assert internal["local_only"] is True
    assert await federate_jobs(instance) == []
    public = await post(instance, anna, status="till alla", local_only=False)
    assert await federate_jobs(instance) == [
        {"kind": "status.create", "status_id": int(public["id"])}
    ]
    await instance.client.patch(
        "/api/v1/accounts/update_credentials",
        data={"source[local_only]": "false"},
        headers=anna.headers,
    )
    by_default = await post(instance, anna, status="nu federerat")
    assert by_default["local_only"] is False
    signed_out = await instance.client.get(f"/api/v1/statuses/{internal['id']}")
    assert signed_out.status_code == 404


async def test_follow_of_a_remote_account_is_a_request_and_a_job(instance: Instance) -> None:
    anna = await instance.member("anna")
    remote_id = instance.store.new_id()
    async with instance.store.write() as conn:
        await conn.execute(
            insert(accounts).values(
                id=remote_id,
                username="berit",
                domain="kommun-b.test",
                uri="https://kommun-b.test/users/berit",
                inbox_url="https://kommun-b.test/users/berit/inbox",
                created_at=now_ms(),
                updated_at=now_ms(),
            )
        )
    answer = await instance.client.post(
        f"/api/v1/accounts/{remote_id}/follow", headers=anna.headers
    )
    assert answer.json()["requested"] is True
    assert answer.json()["following"] is False
    async with instance.store.read() as conn:
        request_id = await conn.fetch_val(select(follow_requests.c.id))
    assert await federate_jobs(instance) == [{"kind": "follow", "follow_request_id": request_id}]
    found = await instance.client.get(
        "/api/v1/accounts/lookup", params={"acct": "berit@kommun-b.test"}, headers=anna.headers
    )
    assert found.json()["acct"] == "berit@kommun-b.test"


async def test_media__location_data_is_gone_after_upload(instance: Instance) -> None:
    anna = await instance.member("anna")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (59.0, 19.0, 44.0), 3: "E", 4: (18.0, 4.0, 7.0)}  # GPS IFD
    exif[0x010F] = "Kamerafabriken"
    original = image_bytes(exif=exif.tobytes())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    uploaded = await instance.client.post(
        "/api/v2/media",
        files={"file": ("bild.jpg", original, "image/jpeg")},
        data={"description": "Utsikt", "focus": "0.5,-0.25"},
        headers=anna.headers,
    )
    assert uploaded.status_code == 200, uploaded.text
    entity = uploaded.json()
    assert entity["meta"]["original"]["width"] == 120
    assert entity["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert entity["blurhash"]
    stored = await instance.client.get(entity["url"].removeprefix("http://kommun-a.test"))
    assert stored.headers["content-type"] == "image/jpeg"
    clean = Image.open(io.BytesIO(stored.content))
    assert not clean.getexif().get_ifd(0x8825)
    assert b"Kamerafabriken" not in stored.content
    assert clean.size == (120, 90)


async def test_media__describe_and_attach_only_ones_own(instance: Instance) -> None:
    anna, bosse = await instance.member("anna"), await instance.member("bosse")
    uploaded = await instance.client.post(
        "/api/v1/media",
        files={"file": ("a.png", image_bytes("PNG"), "image/png")},
        headers=anna.headers,
    )
    media_id = uploaded.json()["id"]
    described = await instance.client.put(
        f"/api/v1/media/{media_id}", data={"description": "Ett diagram"}, headers=anna.headers
    )
    assert described.json()["description"] == "Ett diagram"
    theirs = await instance.client.post(
        "/api/v1/statuses", json={"status": "min?", "media_ids": [media_id]}, headers=bosse.headers
    )
    assert theirs.status_code == 422
    status = await post(instance, anna, status="med bild", media_ids=[media_id])
    attachments = status["media_attachments"]
    assert isinstance(attachments, list)
    assert attachments[0]["description"] == "Ett diagram"


async def test_notifications__filters_and_dismiss(instance: Instance) -> None:
    anna, bosse = await instance.member("anna"), await instance.member("bosse")
    await instance.client.post(f"/api/v1/accounts/{anna.account_id}/follow", headers=bosse.headers)
    status = await post(instance, anna, status="hej")
    await instance.client.post(f"/api/v1/statuses/{status['id']}/favourite", headers=bosse.headers)
    await post(instance, bosse, status="@anna hallå")
    everything = (await instance.client.get("/api/v1/notifications", headers=anna.headers)).json()
    assert [n["type"] for n in everything] == ["mention", "favourite", "follow"]
    only = await instance.client.get(
        "/api/v1/notifications", params={"types[]": ["follow", "mention"]}, headers=anna.headers
    )
    assert [n["type"] for n in only.json()] == ["mention", "follow"]
    without = await instance.client.get(
        "/api/v1/notifications", params={"exclude_types[]": "mention"}, headers=anna.headers
    )
    assert [n["type"] for n in without.json()] == ["favourite", "follow"]
    # Types this server does not know are ignored, as Mastodon ignores them: newer apps
    # send the types of newer versions (and other servers') in both lists.
    newer = {"exclude_types[]": ["mention", "moderation_warning", "emoji_reaction"]}
    newer_v2 = {"types[]": ["follow", "annual_report"], "grouped_types[]": ["quote", "favourite"]}
    for path, params, expected in (
        ("/api/v1/notifications", newer, ["favourite", "follow"]),
        ("/api/v1/notifications", {"types[]": ["quote", "follow"]}, ["follow"]),
        ("/api/v1/notifications", {"types[]": "quote"}, []),
    ):
        answer = await instance.client.get(path, params=params, headers=anna.headers)
        assert answer.status_code == 200, answer.text
        assert [n["type"] for n in answer.json()] == expected
    grouped = await instance.client.get(
        "/api/v2/notifications", params=newer_v2, headers=anna.headers
    )
    assert grouped.status_code == 200, grouped.text
    assert [g["type"] for g in grouped.json()["notification_groups"]] == ["follow"]
    count = await instance.client.get("/api/v1/notifications/unread_count", headers=anna.headers)
    assert count.json() == {"count": 3}
    await instance.client.post(
        f"/api/v1/notifications/{everything[0]['id']}/dismiss", headers=anna.headers
    )
    left = (await instance.client.get("/api/v1/notifications", headers=anna.headers)).json()
    assert len(left) == 2
    await instance.client.post("/api/v1/notifications/clear", headers=anna.headers)
    assert (await instance.client.get("/api/v1/notifications", headers=anna.headers)).json() == []


async def test_idempotency_key__gives_the_same_status(instance: Instance) -> None:
    anna = await instance.member("anna")
    headers = anna.headers | {"Idempotency-Key": "abc-123"}
    first = await instance.client.post("/api/v1/statuses", data={"status": "en"}, headers=headers)
    second = await instance.client.post("/api/v1/statuses", data={"status": "en"}, headers=headers)
    assert first.json()["id"] == second.json()["id"]
    me = (
        await instance.client.get("/api/v1/accounts/verify_credentials", headers=anna.headers)
    ).json()
    assert me["statuses_count"] == 1


async def test_edit_keeps_history_and_delete_returns_source(instance: Instance) -> None:
    anna = await instance.member("anna")
    status = await post(instance, anna, status="första #tagg")
    edited = await instance.client.put(
        f"/api/v1/statuses/{status['id']}", json={"status": "andra"}, headers=anna.headers
    )
    assert edited.json()["edited_at"] is not None
    assert edited.json()["tags"] == []
    history = (
        await instance.client.get(f"/api/v1/statuses/{status['id']}/history", headers=anna.headers)
    ).json()
    assert ["första" in h["content"] for h in history] == [True, False]
    source = await instance.client.get(
        f"/api/v1/statuses/{status['id']}/source", headers=anna.headers
    )
    assert source.json()["text"] == "andra"
    deleted = await instance.client.delete(f"/api/v1/statuses/{status['id']}", headers=anna.headers)
    assert deleted.json()["text"] == "andra"
    gone = await instance.client.get(f"/api/v1/statuses/{status['id']}", headers=anna.headers)
    assert gone.status_code == 404


async def test_tag_timeline__any_all_none(instance: Instance) -> None:
    anna = await instance.member("anna")
    both = await post(instance, anna, status="#skola #mat")
    school = await post(instance, anna, status="#skola")
    food = await post(instance, anna, status="#mat")

    async def tagged(name: str, **params: object) -> list[str]:
        answer = await instance.client.get(
            f"/api/v1/timelines/tag/{name}", params=params, headers=anna.headers
        )
        return [s["id"] for s in answer.json()]

    assert await tagged("skola") == [school["id"], both["id"]]
    assert await tagged("skola", **{"any[]": "mat"}) == [food["id"], school["id"], both["id"]]
    assert await tagged("skola", **{"all[]": "mat"}) == [both["id"]]
    assert await tagged("skola", **{"none[]": "mat"}) == [school["id"]]


async def test_locked_account__follow_request_authorize(instance: Instance) -> None:
    anna = await instance.member("anna", locked=True)
    bosse = await instance.member("bosse")
    asked = await instance.client.post(
        f"/api/v1/accounts/{anna.account_id}/follow", headers=bosse.headers
    )
    assert asked.json()["requested"] is True
    waiting = (await instance.client.get("/api/v1/follow_requests", headers=anna.headers)).json()
    assert [a["username"] for a in waiting] == ["bosse"]
    rel = await instance.client.post(
        f"/api/v1/follow_requests/{bosse.account_id}/authorize", headers=anna.headers
    )
    assert rel.json()["followed_by"] is True
    theirs = await instance.client.get(
        "/api/v1/accounts/relationships", params={"id[]": anna.account_id}, headers=bosse.headers
    )
    assert theirs.json()[0]["following"] is True


async def test_home_feed__follow_fills_unfollow_empties_and_audiences_hold(
    instance: Instance,
) -> None:
    anna, bosse, cilla = (
        await instance.member("anna"),
        await instance.member("bosse"),
        await instance.member("cilla"),
    )
    early = await post(instance, bosse, status="före följningen")
    private = await post(instance, bosse, status="bara för följare", visibility="private")
    to_cilla = await post(instance, bosse, status="@cilla direkt", visibility="direct")

    async def home(who: Member) -> list[object]:
        answer = await instance.client.get("/api/v1/timelines/home", headers=who.headers)
        return [s["id"] for s in answer.json()]

    assert await home(anna) == []
    await instance.client.post(f"/api/v1/accounts/{bosse.account_id}/follow", headers=anna.headers)
    assert await home(anna) == [private["id"], early["id"]]  # backfilled, without the DM
    later = await post(instance, bosse, status="efter")
    assert await home(anna) == [later["id"], private["id"], early["id"]]
    await instance.client.post(f"/api/v1/accounts/{bosse.account_id}/follow", headers=cilla.headers)
    assert to_cilla["id"] not in await home(cilla)  # a DM sent before the follow stays out
    dm = await post(instance, bosse, status="@cilla igen", visibility="direct")
    assert dm["id"] in await home(cilla)
    assert dm["id"] not in await home(anna)
    await instance.client.post(
        f"/api/v1/accounts/{bosse.account_id}/unfollow", headers=anna.headers
    )
    assert await home(anna) == []


async def test_account_statuses__pinned_replies_reblogs_media_tagged(instance: Instance) -> None:
    anna, bosse = await instance.member("anna"), await instance.member("bosse")
    first = await post(instance, anna, status="först #möte")
    bosse_post_id = (await post(instance, bosse, status="bosses"))["id"]
    reply = await post(instance, anna, status="svar", in_reply_to_id=bosse_post_id)
    await instance.client.post(f"/api/v1/statuses/{bosse_post_id}/reblog", headers=anna.headers)
    await instance.client.post(f"/api/v1/statuses/{first['id']}/pin", headers=anna.headers)

    async def listed(**params: object) -> list[object]:
        answer = await instance.client.get(
            f"/api/v1/accounts/{anna.account_id}/statuses", params=params, headers=bosse.headers
        )
        return [s["id"] for s in answer.json()]

    assert await listed(pinned="true") == [first["id"]]
    assert reply["id"] not in await listed(exclude_replies="true")
    assert len(await listed()) == 3
    assert len(await listed(exclude_reblogs="true")) == 2
    assert await listed(tagged="möte") == [first["id"]]
    assert await listed(only_media="true") == []


async def test_search_and_familiar_followers(instance: Instance) -> None:
    anna, bosse, cilla = (
        await instance.member("anna"),
        await instance.member("bosse"),
        await instance.member("cilla"),
    )
    await post(instance, anna, status="#fikarummet och #fika")
    for who in (anna, bosse):
        await instance.client.post(
            f"/api/v1/accounts/{cilla.account_id}/follow", headers=who.headers
        )
    await instance.client.post(f"/api/v1/accounts/{bosse.account_id}/follow", headers=anna.headers)
    found = await instance.client.get("/api/v2/search", params={"q": "fika"}, headers=anna.headers)
    assert sorted(h["name"] for h in found.json()["hashtags"]) == ["fika", "fikarummet"]
    people = await instance.client.get(
        "/api/v1/accounts/search", params={"q": "bos"}, headers=anna.headers
    )
    assert [a["acct"] for a in people.json()] == ["bosse"]
    familiar = await instance.client.get(
        "/api/v1/accounts/familiar_followers",
        params={"id[]": cilla.account_id},
        headers=anna.headers,
    )
    assert [a["acct"] for a in familiar.json()[0]["accounts"]] == ["bosse"]


async def test_instance_stats__count_local_users_and_their_statuses(instance: Instance) -> None:
    anna, bosse = await instance.member("anna"), await instance.member("bosse")
    for n in range(3):
        await post(instance, anna, status=f"inlägg {n}")
    gone = await post(instance, bosse, status="borttaget")
    await post(instance, bosse, status="kvar")
    deleted = await instance.client.delete(f"/api/v1/statuses/{gone['id']}", headers=bosse.headers)
    assert deleted.status_code == 200
    stats = (await instance.client.get("/api/v1/instance")).json()["stats"]
    assert stats == {"user_count": 2, "status_count": 4, "domain_count": 0}


async def test_public_endpoints_ignore_a_stale_token(instance: Instance) -> None:
    stale = {"Authorization": "Bearer no-such-token"}
    assert (await instance.client.get("/api/v1/instance", headers=stale)).status_code == 200
    refused = await instance.client.get("/api/v1/timelines/public", headers=stale)
    assert refused.status_code == 401


async def test_posting_and_notifying_publish_stream_events(instance: Instance) -> None:
    import asyncio

    anna, bosse = await instance.member("anna"), await instance.member("bosse")
    bus = instance.store.events
    assert bus is not None
    watching = bus.subscribe({f"author:{bosse.account_id}", f"user:{anna.account_id}"})
    status = await post(instance, bosse, status="@anna #nytt")
    seen = {
        (e.topic, e.name) for e in [await asyncio.wait_for(watching.get(), 5) for _ in range(3)]
    }
    assert (f"author:{bosse.account_id}", "update") in seen
    assert (f"user:{anna.account_id}", "notification") in seen
    assert status["id"]
    watching.close()


async def test_favourited_by_and_reblogged_by_list_accounts_and_hide_what_the_viewer_may_not_see(
    instance: Instance,
) -> None:
    anna, bosse, cilla = (
        await instance.member("anna"),
        await instance.member("bosse"),
        await instance.member("cilla"),
    )
    public = await post(instance, anna, status="Fika kl 15!")
    for who in (bosse, cilla):
        await instance.client.post(
            f"/api/v1/statuses/{public['id']}/favourite", headers=who.headers
        )
    await instance.client.post(f"/api/v1/statuses/{public['id']}/reblog", headers=cilla.headers)

    favs = await instance.client.get(
        f"/api/v1/statuses/{public['id']}/favourited_by", headers=anna.headers
    )
    boosts = await instance.client.get(
        f"/api/v1/statuses/{public['id']}/reblogged_by", headers=anna.headers
    )
    assert [a["username"] for a in favs.json()] == ["cilla", "bosse"], "newest first"
    assert [a["username"] for a in boosts.json()] == ["cilla"]

    private = await post(instance, anna, status="bara följare", visibility="private")
    for path in ("favourited_by", "reblogged_by"):
        hidden = await instance.client.get(
            f"/api/v1/statuses/{private['id']}/{path}", headers=bosse.headers
        )
        assert hidden.status_code == 404
        assert hidden.json() == {"error": "Record not found"}


def noisy_png(size: int = 700) -> bytes:
    """A PNG that does not compress: larger than what /api/v2/media processes at once."""
    out = io.BytesIO()
    Image.frombytes("RGB", (size, size), random.Random(7).randbytes(size * size * 3)).save(
        out, "PNG"
    )
    return out.getvalue()


async def run_media_jobs(instance: Instance) -> None:
    registry = JobRegistry()
    tasks.register(registry, instance.store, Path(instance.settings.media_dir))
    await Worker(instance.runtime.queue, registry).run_once()


async def test_media_v2__a_large_image_is_accepted_at_once_and_processed_later(
    instance: Instance,
) -> None:
    anna = await instance.member("anna")
    data = noisy_png()
    assert len(data) > media.PROCESS_LATER_BYTES
    uploaded = await instance.client.post(
        "/api/v2/media", files={"file": ("stor.png", data, "image/png")}, headers=anna.headers
    )
    assert uploaded.status_code == 202, uploaded.text
    assert uploaded.json()["url"] is None
    media_id = uploaded.json()["id"]
    pending = await instance.client.get(f"/api/v1/media/{media_id}", headers=anna.headers)
    assert pending.status_code == 206
    too_early = await instance.client.post(
        "/api/v1/statuses", json={"status": "bild", "media_ids": [media_id]}, headers=anna.headers
    )
    assert too_early.status_code == 422
    assert "finished processing" in too_early.json()["error"]

    await run_media_jobs(instance)
    done = await instance.client.get(f"/api/v1/media/{media_id}", headers=anna.headers)
    assert done.status_code == 200
    assert done.json()["meta"]["original"]["width"] == 700
    stored = await instance.client.get(done.json()["url"].removeprefix("http://kommun-a.test"))
    assert stored.headers["content-type"] == "image/png"
    status = await post(instance, anna, status="bild", media_ids=[media_id])
    assert len(status["media_attachments"]) == 1  # type: ignore[arg-type]


async def test_media_v2__a_broken_large_image_fails_then_or_later_with_422(
    instance: Instance,
) -> None:
    anna = await instance.member("anna")
    junk = await instance.client.post(
        "/api/v2/media",
        files={"file": ("x.png", b"\x00" * (media.PROCESS_LATER_BYTES + 1), "image/png")},
        headers=anna.headers,
    )
    assert junk.status_code == 422  # not an image at all: refused before anything is kept
    cut_off = noisy_png()[: media.PROCESS_LATER_BYTES + 10]  # a valid header, a broken body
    uploaded = await instance.client.post(
        "/api/v2/media", files={"file": ("x.png", cut_off, "image/png")}, headers=anna.headers
    )
    assert uploaded.status_code == 202
    await run_media_jobs(instance)
    failed = await instance.client.get(
        f"/api/v1/media/{uploaded.json()['id']}", headers=anna.headers
    )
    assert failed.status_code == 422
    assert failed.json()["error"] == "Error processing thumbnail for uploaded media"


async def test_accounts_of_a_suspended_domain_are_not_found(instance: Instance) -> None:
    anna = await instance.member("anna")
    found: dict[str, int] = {}
    async with instance.store.write() as conn:
        for username, domain in (("berit", "kommun-b.test"), ("cilla", "skola.kommun-b.test")):
            found[username] = instance.store.new_id()
            await conn.execute(
                insert(accounts).values(
                    id=found[username],
                    username=username,
                    domain=domain,
                    uri=f"https://{domain}/users/{username}",
                    inbox_url=f"https://{domain}/users/{username}/inbox",
                    created_at=now_ms(),
                    updated_at=now_ms(),
                )
            )
    client = instance.client
    for account_id in found.values():
        shown = await client.get(f"/api/v1/accounts/{account_id}", headers=anna.headers)
        assert shown.status_code == 200
    await instances.set_domain_policy(instance.store, "kommun-b.test", "suspend", actor="test")
    for username, account_id in found.items():
        gone = await client.get(f"/api/v1/accounts/{account_id}", headers=anna.headers)
        assert gone.status_code == 404
        assert gone.json() == {"error": "Record not found"}
        acct = f"{username}@{'kommun-b.test' if username == 'berit' else 'skola.kommun-b.test'}"
        looked_up = await client.get(
            "/api/v1/accounts/lookup", params={"acct": acct}, headers=anna.headers
        )
        assert looked_up.status_code == 404
    listed = await client.get(
        "/api/v1/accounts", params=[("id[]", str(i)) for i in found.values()], headers=anna.headers
    )
    assert listed.json() == []
