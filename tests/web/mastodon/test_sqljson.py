"""The home timeline written by the database (serializers.sqljson) is the entity the Python
serializers write: every field, for every kind of status a feed holds, on both databases."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import delete, insert, select, update

from fediverse import storage, timelines
from fediverse.ids import now_ms
from fediverse.paging import PageQuery
from fediverse.storage.tables import (
    accounts,
    departments,
    favourites,
    home_feed,
    media_attachments,
    mentions,
    polls,
    statuses,
    statuses_tags,
    tags,
)
from tests.web.mastodon.conftest import Instance, Member, image_bytes
from web.mastodon.serializers import entity_cache, sqljson


async def _post(instance: Instance, member: Member, **body: Any) -> dict[str, Any]:
    """Post; the answer, which the database writes (``sqljson.own_status_plan``) unless the
    author has filters, must be the entity the Python serializers write."""
    answer = await instance.client.post("/api/v1/statuses", json=body, headers=member.headers)
    assert answer.status_code == 200, answer.text
    written = dict(answer.json())
    assert [written] == await _python_entities(instance, member, [written["id"]])
    return written


async def _python_entities(instance: Instance, viewer: Member, ids: list[str]) -> list[Any]:
    """The same statuses through ``GET /api/v1/statuses?id[]=``: the Python serializers."""
    answer = await instance.client.get(
        "/api/v1/statuses", params=[("id[]", i) for i in ids], headers=viewer.headers
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def _home(instance: Instance, viewer: Member, **params: Any) -> list[Any]:
    answer = await instance.client.get(
        "/api/v1/timelines/home", params=params, headers=viewer.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    return list(orjson.loads(answer.content))


async def _a_remote_post_in_the_feed(instance: Instance, viewer: Member) -> None:
    """A remote author with a remote avatar, fields with HTML and a post with media."""
    store, now = instance.store, now_ms()
    author, status, media = store.new_id(), store.new_id(), store.new_id()
    fields = [
        {"name": "Webb", "value": "https://b.test", "value_html": '<a href="https://b.test">b</a>'},
        {"name": "Rum", "value": "B12", "verified_at": "2026-11-01T10:00:00.000Z"},
        "not an object",
    ]
    async with store.write() as conn:
        await conn.execute(
            insert(accounts).values(
                id=author,
                username="berit",
                domain="kommun-b.test",
                display_name="Berit på B",
                uri="https://kommun-b.test/users/berit",
                url="",
                inbox_url="https://kommun-b.test/users/berit/inbox",
                avatar_remote_url="https://kommun-b.test/avatar.png",
                actor_type="Service",
                fields=orjson.dumps(fields).decode(),
                created_at=now - 86_400_000 * 30,
                updated_at=now,
            )
        )
        await conn.execute(
            insert(statuses).values(
                id=status,
                account_id=author,
                uri="https://kommun-b.test/users/berit/statuses/1",
                url=None,
                local=False,
                content='<p>Från B, med &lt;tecken&gt; och "citat"</p>',
                text="",
                spoiler_text="",
                visibility="public",
                language="sv",
                created_at=now - 1_000,
            )
        )
        await conn.execute(
            insert(media_attachments).values(
                id=media,
                account_id=author,
                status_id=status,
                type="image",
                remote_url="https://kommun-b.test/bild.png",
                description="",
                meta=orjson.dumps({"original": {"width": 10, "height": 5}}).decode(),
                focus_x=-250,
                focus_y=500,
                blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
                created_at=now,
            )
        )
        await conn.execute(
            insert(home_feed).values(
                account_id=viewer.account_id, status_id=status, author_account_id=author
            )
        )


async def _a_feed_of_every_kind(instance: Instance) -> tuple[Member, Member, Member]:
    client = instance.client
    anna, bosse = await instance.member("anna"), await instance.member("bosse")
    cecilia = await instance.member("cecilia")
    for other in (bosse, cecilia):
        await client.post(f"/api/v1/accounts/{other.account_id}/follow", headers=anna.headers)
    department = instance.store.new_id()
    async with instance.store.write() as conn:
        await conn.execute(
            insert(departments).values(id=department, name="Förskolor", created_at=now_ms())
        )
    avatar = await client.post(
        "/api/v2/media",
        files={"file": ("a.png", image_bytes("PNG", (16, 16)), "image/png")},
        headers=bosse.headers,
    )
    profile = await client.patch(
        "/api/v1/accounts/update_credentials",
        files={"avatar": ("a.png", image_bytes("PNG", (32, 32)), "image/png")},
        data={
            "display_name": 'Bosse "B" Öberg',
            "note": "Lärare på <Skolgården>",
            "fields_attributes[0][name]": "Webb",
            "fields_attributes[0][value]": "https://example.com/bosse",
            "fields_attributes[1][name]": "Rum",
            "fields_attributes[1][value]": "A1",
            "kollegium[title]": "Lärare",
            "kollegium[department_id]": str(department),
            "kollegium[phone]": "08-123 45",
            "kollegium[languages][]": ["sv", "en"],
            "kollegium[ask_me_about][]": ["Schema"],
            "bot": "true",
        },
        headers=bosse.headers,
    )
    assert profile.status_code == 200, profile.text
    assert avatar.status_code in (200, 202), avatar.text

    own = await _post(instance, anna, status="Mitt eget inlägg")
    await client.post(f"/api/v1/statuses/{own['id']}/pin", headers=anna.headers)
    await _post(
        instance, bosse, status="@anna @cecilia hej #Skolgård #tagg_1 https://example.com/x"
    )
    media = await client.post(
        "/api/v2/media",
        files={"file": ("b.png", image_bytes("PNG", (40, 20)), "image/png")},
        data={"description": "En blå ruta", "focus": "0.5,-0.25"},
        headers=bosse.headers,
    )
    await _post(
        instance,
        bosse,
        status="Med bild",
        media_ids=[media.json()["id"]],
        sensitive=True,
        spoiler_text="Varning",
    )
    poll = await _post(
        instance,
        bosse,
        status="Fråga",
        poll={"options": ["ja", "nej", "kanske"], "expires_in": 3600, "multiple": True},
    )
    await client.post(
        f"/api/v1/polls/{poll['poll']['id']}/votes",
        json={"choices": ["0", "2"]},
        headers=anna.headers,
    )
    hidden = await _post(
        instance,
        bosse,
        status="Dold fråga",
        poll={"options": ["a", "b"], "expires_in": 3600, "hide_totals": True},
    )
    expired = await _post(
        instance, bosse, status="Gammal fråga", poll={"options": ["x", "y"], "expires_in": 3600}
    )
    async with instance.store.write() as conn:
        await conn.execute(
            update(polls)
            .where(polls.c.id == int(expired["poll"]["id"]))
            .values(expires_at=now_ms() - 1_000, tallies="[3]", votes_count=3)
        )
    reply = await _post(instance, bosse, status="@anna svar", in_reply_to_id=own["id"])
    edited = await _post(instance, bosse, status="Före", visibility="unlisted")
    await client.put(
        f"/api/v1/statuses/{edited['id']}", json={"status": "Efter"}, headers=bosse.headers
    )
    await _post(instance, bosse, status="Bara här", local_only=True, visibility="private")
    liked = await _post(instance, cecilia, status="Cecilias inlägg")
    for action in ("favourite", "bookmark", "reblog"):
        await client.post(f"/api/v1/statuses/{liked['id']}/{action}", headers=anna.headers)
    await client.post(f"/api/v1/statuses/{reply['id']}/reblog", headers=cecilia.headers)
    await client.post(f"/api/v1/statuses/{hidden['id']}/favourite", headers=cecilia.headers)
    async with instance.store.write() as conn:  # a moderator marked Cecilia sensitive
        await conn.execute(
            update(accounts)
            .where(accounts.c.id == cecilia.account_id)
            .values(sensitized_at=now_ms())
        )
    await _a_remote_post_in_the_feed(instance, anna)
    return anna, bosse, cecilia


async def test_every_kind_of_status_is_the_entity_the_serializers_write(
    instance: Instance,
) -> None:
    anna, _bosse, _cecilia = await _a_feed_of_every_kind(instance)
    async with instance.store.write() as conn:  # renamed after its staff had posted
        await conn.execute(update(departments).values(name="Förskolor och fritids"))
    page = await _home(instance, anna, limit=40)
    assert len(page) == 13
    units = {
        e["account"]["kollegium"]["department"]["name"]
        for e in page
        if e["account"]["kollegium"]["department"]
    }
    assert units == {"Förskolor och fritids"}
    kinds = {
        "reblog": any(e["reblog"] for e in page),
        "poll": any(e["poll"] for e in page),
        "media": any(e["media_attachments"] for e in page),
        "mentions": any(e["mentions"] for e in page),
        "tags": any(e["tags"] for e in page),
        "application": any(e["application"] for e in page),
        "edited": any(e["edited_at"] for e in page),
        "remote": any("@" in e["account"]["acct"] for e in page),
    }
    assert all(kinds.values()), kinds
    expected = await _python_entities(instance, anna, [e["id"] for e in page])
    for ours, theirs in zip(page, expected, strict=True):
        assert ours == theirs, (ours["content"], _differences(ours, theirs))


async def test_a_change_anyone_writes_is_on_the_next_page(instance: Instance) -> None:
    """On PostgreSQL each process keeps the entities it has written (``entity_cache``) and
    checks them against their rows. Each change here is written straight to the tables, as
    another process would write it, after a page kept the entities: the next page shows it.
    The same holds on SQLite, which keeps nothing."""
    anna, bosse, cecilia = await _a_feed_of_every_kind(instance)
    store = instance.store
    async with store.read() as conn:
        [avatar] = await conn.fetch_all(
            select(accounts.c.avatar_media_id).where(accounts.c.id == bosse.account_id)
        )
        [attached] = await conn.fetch_all(
            select(media_attachments.c.id).where(
                media_attachments.c.account_id == bosse.account_id,
                media_attachments.c.status_id.is_not(None),
            )
        )
        [own] = await conn.fetch_all(
            select(statuses.c.id).where(statuses.c.content.like("%Mitt eget%"))
        )
        [tag] = await conn.fetch_all(select(tags.c.id).where(tags.c.name == "skolgård"))
    changes: list[tuple[str, Any, Any]] = [
        (
            "an author's name",
            update(accounts)
            .where(accounts.c.id == bosse.account_id)
            .values(display_name="Bosse Nyberg"),
            lambda e: e["account"]["display_name"] == "Bosse Nyberg",
        ),
        (
            "a department's name",
            update(departments).values(name="Skolor"),
            lambda e: (e["account"]["kollegium"]["department"] or {}).get("name") == "Skolor",
        ),
        (
            "an avatar's file",
            update(media_attachments)
            .where(media_attachments.c.id == avatar[0])
            .values(file_path="avatars/ny.png"),
            lambda e: e["account"]["avatar"].endswith("/media/avatars/ny.png"),
        ),
        (
            "an attached image's description",
            update(media_attachments)
            .where(media_attachments.c.id == attached[0])
            .values(description="En grön ruta"),
            lambda e: any(m["description"] == "En grön ruta" for m in e["media_attachments"]),
        ),
        (
            "a mentioned account's address",
            update(accounts)
            .where(accounts.c.id == cecilia.account_id)
            .values(url="https://kommun-a.se/@cissi"),
            lambda e: any(m["url"] == "https://kommun-a.se/@cissi" for m in e["mentions"]),
        ),
        (
            "a mention gone",
            delete(mentions).where(mentions.c.account_id == cecilia.account_id),
            lambda e: "tagg_1" in e["content"] and len(e["mentions"]) == 1,
        ),
        (
            "a tag added",
            insert(statuses_tags).values(status_id=own[0], tag_id=tag[0]),
            lambda e: e["id"] == str(own[0]) and [t["name"] for t in e["tags"]] == ["skolgård"],
        ),
        (
            "a count",
            update(statuses).where(statuses.c.id == own[0]).values(favourites_count=7),
            lambda e: e["id"] == str(own[0]) and e["favourites_count"] == 7,
        ),
        (
            "a mark of the viewer's",
            delete(favourites).where(favourites.c.account_id == anna.account_id),
            lambda e: (
                e["reblog"]
                and e["reblog"]["content"] == "<p>Cecilias inlägg</p>"
                and not e["reblog"]["favourited"]
            ),
        ),
    ]
    for what, change, shown in changes:
        before = await _home(instance, anna, limit=40)
        assert not any(shown(e) for e in before), what
        async with store.write() as conn:
            await conn.execute(change)
        after = await _home(instance, anna, limit=40)
        assert any(shown(e) for e in after), what
        expected = await _python_entities(instance, anna, [e["id"] for e in after])
        assert after == expected, (
            what,
            [_differences(a, b) for a, b in zip(after, expected, strict=False)],
        )


async def test_postgresql_pages_are_joined_from_the_kept_entities(instance: Instance) -> None:
    """A page's statuses and authors are kept after it is read, and a kept text whose row
    has not changed is what the next page shows (here a planted one, to tell it apart)."""
    if store_is_sqlite(instance):
        pytest.skip("SQLite writes every page whole; only PostgreSQL keeps entities")
    anna, bosse, _cecilia = await _a_feed_of_every_kind(instance)
    page = await _home(instance, anna, limit=40)
    cache = entity_cache.cache_for(instance.store, instance.settings.base_url)
    assert {int(e["id"]) for e in page} <= set(cache.statuses.texts)
    assert bosse.account_id in cache.accounts.texts
    version, text = cache.accounts.texts[bosse.account_id]
    planted = text.replace(b"Bosse", b"Planted")
    cache.accounts.texts[bosse.account_id] = (version, planted)
    again = await _home(instance, anna, limit=40)
    names = {e["account"]["display_name"] for e in again if e["account"]["username"] == "bosse"}
    assert names == {'Planted "B" Öberg'}
    async with instance.store.write() as conn:  # written again: the planted text is stale
        await conn.execute(
            update(accounts).where(accounts.c.id == bosse.account_id).values(locked=False)
        )
    third = await _home(instance, anna, limit=40)
    names = {e["account"]["display_name"] for e in third if e["account"]["username"] == "bosse"}
    assert names == {'Bosse "B" Öberg'}


def store_is_sqlite(instance: Instance) -> bool:
    return instance.store.is_sqlite


def test_a_process_keeps_at_most_its_limit_dropping_the_least_recently_read() -> None:
    kept = entity_cache._Kept(limit=3)
    for key in (1, 2, 3):
        kept.put(key, 10, str(key).encode())
    found: dict[int, bytes] = {}
    missing: set[int] = set()
    kept.take([(1, 10)], found, missing)  # read: now the most recent
    assert found == {1: b"1"} and not missing
    kept.put(4, 10, b"4")
    assert sorted(kept.texts) == [1, 3, 4]
    kept.take([(3, 11), (5, 10)], found, missing)  # 3 written since: dropped; 5 never kept
    assert missing == {3, 5} and sorted(kept.texts) == [1, 4]


def _differences(ours: Any, theirs: Any, path: str = "") -> list[str]:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found = []
        for key in sorted(set(ours) | set(theirs)):
            found += _differences(ours.get(key, "-"), theirs.get(key, "-"), f"{path}.{key}")
        return found
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        pairs = enumerate(zip(ours, theirs, strict=True))
        return [d for i, (a, b) in pairs for d in _differences(a, b, f"{path}[{i}]")]
    return [] if ours == theirs else [f"{path}: {ours!r} != {theirs!r}"]


async def test_pages_are_the_pages_of_the_feed(instance: Instance) -> None:
    anna, _bosse, _cecilia = await _a_feed_of_every_kind(instance)
    rows = await timelines.home(instance.store, anna.account_id, PageQuery(limit=40))
    every = [str(r["id"]) for r in rows]
    assert [e["id"] for e in await _home(instance, anna, limit=40)] == every
    assert [e["id"] for e in await _home(instance, anna, limit=3)] == every[:3]
    older = await _home(instance, anna, max_id=every[2], limit=4)
    assert [e["id"] for e in older] == every[3:7]
    newer = await _home(instance, anna, min_id=every[8], limit=3)
    assert [e["id"] for e in newer] == every[5:8]
    since = await _home(instance, anna, since_id=every[8], limit=3)
    assert [e["id"] for e in since] == every[:3]
    assert await _home(instance, anna, max_id=every[-1]) == []
    answer = await instance.client.get(
        "/api/v1/timelines/home", params={"limit": 3}, headers=anna.headers
    )
    assert f"max_id={every[2]}" in answer.headers["link"]
    assert f"min_id={every[0]}" in answer.headers["link"]


async def test_filters_apply_to_the_page_the_database_wrote(instance: Instance) -> None:
    anna, _bosse, _cecilia = await _a_feed_of_every_kind(instance)
    before = await _home(instance, anna, limit=40)
    for title, keyword, action in (("Frågor", "fråga", "warn"), ("Bilder", "bild", "hide")):
        created = await instance.client.post(
            "/api/v2/filters",
            json={
                "title": title,
                "context": ["home"],
                "filter_action": action,
                "keywords_attributes": [{"keyword": keyword}],
            },
            headers=anna.headers,
        )
        assert created.status_code == 200, created.text
    own = await _post(instance, anna, status="En egen fråga")  # answered by the serializers
    assert own["filtered"][0]["filter"]["title"] == "Frågor"
    after = [e for e in await _home(instance, anna, limit=40) if e["id"] != own["id"]]
    assert len(after) == len(before) - 1
    assert not any("Med bild" in e["content"] for e in after)
    warned = [e for e in after if e["filtered"]]
    assert {e["filtered"][0]["filter"]["title"] for e in warned} == {"Frågor"}
    assert len(warned) == 3
    expected = await _python_entities(instance, anna, [e["id"] for e in after])
    assert after == expected


async def test_the_home_page_refuses_as_every_route_does(instance: Instance) -> None:
    """The page the database writes is behind the same token and scope checks as the other
    routes, and an error in the parameters comes after the token's."""
    anna = await instance.member("anna")
    no_read = await instance.member("bosse", scopes="write")
    client = instance.client

    async def status(headers: dict[str, str], **params: Any) -> tuple[int, Any]:
        answer = await client.get("/api/v1/timelines/home", params=params, headers=headers)
        return answer.status_code, answer.json()

    assert await status({}) == (401, {"error": "The access token is invalid"})
    assert await status({"Authorization": "Bearer nonsense"}) == (
        401,
        {"error": "The access token is invalid"},
    )
    assert await status({"Authorization": "Bearer nonsense"}, limit="many") == (
        401,
        {"error": "The access token is invalid"},
    )
    assert await status(no_read.headers) == (
        403,
        {"error": "This action is outside the authorized scopes"},
    )
    app = await client.post(
        "/api/v1/apps",
        data={"client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read"},
    )
    token = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app.json()["client_id"],
            "client_secret": app.json()["client_secret"],
            "scope": "read",
        },
    )
    app_only = {"Authorization": f"Bearer {token.json()['access_token']}"}
    code, body = await status(app_only)
    assert code == 422
    assert body == {"error": "This method requires an authenticated user"}
    code, body = await status(anna.headers, limit="many")
    assert code == 422 and "limit" in body["error"]
    assert await status(anna.headers) == (200, [])
    assert await status(anna.headers, access_token="nonsense") == (200, [])
    code, _ = await status({}, access_token=anna.token)
    assert code == 200


def test_the_triggers_keep_the_fields_the_serializer_would_write() -> None:
    """Migration 0010 holds, as text, the fields PostgreSQL's triggers keep; a change to them
    in the code needs a migration that replaces the triggers' functions."""
    path = Path(storage.__file__).parent / "migrations" / "versions" / "0010_kept_entity_fields.py"
    spec = importlib.util.spec_from_file_location("kept_entity_fields", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for table in ("accounts", "statuses"):
        assert migration.OBJECTS[table] == sqljson.own_fields_object(table), table
