"""Mastodon's admin API for domain allows and blocks, and our federation mode endpoint:
admins only, scopes enforced, Mastodon's entities, every change audited, bad input refused
without changing anything."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from fediverse import oauth
from fediverse.accounts import NewUser, create_user
from fediverse.instances import federation_mode
from fediverse.storage.tables import audit_log, jobs
from tests.web.mastodon.conftest import Instance, Member, snapshot

ALLOWS = "/api/v1/admin/domain_allows"
BLOCKS = "/api/v1/admin/domain_blocks"
MODE = "/api/v1/admin/federation_mode"


async def staff(instance: Instance, name: str, *, role: str = "admin", scopes: str) -> Member:
    created = await create_user(
        instance.store,
        instance.settings.base_url,
        NewUser(name, f"{name}@kommun-a.se", None, role),  # no password: hashing is slow
    )
    app, _secret = await oauth.create_application(
        instance.store,
        name="admin tests",
        redirect_uris=[oauth.OOB],
        scopes=oauth.parse_scopes("read write admin:read admin:write"),
        website=None,
    )
    async with instance.store.write() as conn:
        issued = await oauth._issue(
            instance.store, conn, app.id, created.user_id, oauth.parse_scopes(scopes)
        )
    return Member(name, created.account_id, created.user_id, issued.access_token)


@pytest.fixture
async def admin(instance: Instance) -> Member:
    return await staff(instance, "admin", scopes="admin:read admin:write")


async def call(instance: Instance, who: Member, method: str, path: str, **kwargs: Any) -> Any:
    return await instance.client.request(method, path, headers=who.headers, **kwargs)


async def audit_actions(instance: Instance) -> list[tuple[str, str | None, str]]:
    async with instance.store.read() as conn:
        rows = await conn.fetch_all(select(audit_log).order_by(audit_log.c.id))
    found = [(r._mapping["action"], r._mapping["target"], r._mapping["actor"]) for r in rows]
    return [f for f in found if f[0].startswith(("domain.", "federation."))]


async def test_domain_blocks__create_read_update_delete_as_mastodon(
    instance: Instance, admin: Member
) -> None:
    created = await call(
        instance,
        admin,
        "POST",
        BLOCKS,
        data={
            "domain": "Kommun-X.example",
            "severity": "suspend",
            "public_comment": "spam",
            "private_comment": "ärende 12",
        },
    )
    assert created.status_code == 200, created.text
    block = created.json()
    assert set(block) == {
        "id",
        "domain",
        "digest",
        "created_at",
        "severity",
        "reject_media",
        "reject_reports",
        "private_comment",
        "public_comment",
        "obfuscate",
    }
    assert (block["domain"], block["severity"], block["reject_media"]) == (
        "kommun-x.example",
        "suspend",
        False,
    )
    assert (block["public_comment"], block["private_comment"]) == ("spam", "ärende 12")
    assert block["created_at"].endswith("Z") or "T" in block["created_at"]
    listed = (await call(instance, admin, "GET", BLOCKS)).json()
    assert [b["id"] for b in listed] == [block["id"]]
    one = await call(instance, admin, "GET", f"{BLOCKS}/{block['id']}")
    assert one.json()["domain"] == "kommun-x.example"
    changed = await call(
        instance,
        admin,
        "PUT",
        f"{BLOCKS}/{block['id']}",
        json={"severity": "silence", "reject_media": True},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["severity"], changed.json()["reject_media"]) == ("silence", True)
    assert changed.json()["public_comment"] == "spam"
    gone = await call(instance, admin, "DELETE", f"{BLOCKS}/{block['id']}")
    assert (gone.status_code, gone.json()) == (200, {})
    assert (await call(instance, admin, "GET", BLOCKS)).json() == []
    assert await audit_actions(instance) == [
        ("domain.suspend", "kommun-x.example", "admin"),
        ("domain.silence", "kommun-x.example", "admin"),
        ("domain.clear", "kommun-x.example", "admin"),
    ]
    async with instance.store.read() as conn:
        purges = await conn.fetch_all(select(jobs.c.name).where(jobs.c.name == "domain.purge"))
    assert len(purges) == 1  # the suspension queued its cleanup


async def test_domain_allows__create_read_delete_and_a_noop_block_beside_an_allow(
    instance: Instance, admin: Member
) -> None:
    created = await call(instance, admin, "POST", ALLOWS, data={"domain": "kommun-b.example"})
    assert created.status_code == 200, created.text
    allow = created.json()
    assert set(allow) == {"id", "domain", "created_at"}
    again = await call(instance, admin, "POST", ALLOWS, data={"domain": "KOMMUN-B.example"})
    assert again.json()["id"] == allow["id"]
    assert (await call(instance, admin, "GET", f"{ALLOWS}/{allow['id']}")).status_code == 200
    media = await call(
        instance,
        admin,
        "POST",
        BLOCKS,
        json={"domain": "kommun-b.example", "severity": "noop", "reject_media": True},
    )
    assert media.status_code == 200, media.text
    assert media.json()["severity"] == "noop"
    assert [a["domain"] for a in (await call(instance, admin, "GET", ALLOWS)).json()] == [
        "kommun-b.example"
    ]
    await call(instance, admin, "DELETE", f"{BLOCKS}/{media.json()['id']}")
    assert [a["domain"] for a in (await call(instance, admin, "GET", ALLOWS)).json()] == [
        "kommun-b.example"
    ]
    assert (await call(instance, admin, "DELETE", f"{ALLOWS}/{allow['id']}")).json() == {}
    assert (await call(instance, admin, "GET", ALLOWS)).json() == []
    missing = await call(instance, admin, "GET", f"{ALLOWS}/{allow['id']}")
    assert (missing.status_code, missing.json()) == (404, {"error": "Record not found"})


async def test_domain_allows__paged_by_id_with_a_link_header_as_mastodon(
    instance: Instance, admin: Member
) -> None:
    for n in range(7):
        made = await call(instance, admin, "POST", ALLOWS, data={"domain": f"kommun-{n}.example"})
        assert made.status_code == 200, made.text
    everything = (await call(instance, admin, "GET", ALLOWS)).json()
    ids = [int(a["id"]) for a in everything]
    assert len(ids) == 7 and ids == sorted(ids, reverse=True)
    seen: list[int] = []
    path = f"{ALLOWS}?limit=3"
    for _ in range(5):  # three pages, then an empty one without a Link header
        page = await call(instance, admin, "GET", path)
        seen += [int(a["id"]) for a in page.json()]
        if "link" not in page.headers:
            break
        assert page.headers["link"].startswith(f"<{instance.settings.base_url}{ALLOWS}?limit=3&")
        path = page.headers["link"].split(">")[0].removeprefix("<" + instance.settings.base_url)
    assert seen == ids
    newer = await call(instance, admin, "GET", f"{ALLOWS}?min_id={ids[3]}&limit=2")
    assert [int(a["id"]) for a in newer.json()] == ids[1:3]
    assert len((await call(instance, admin, "GET", f"{ALLOWS}?limit=500")).json()) == 7


async def test_federation_mode__read_and_set_by_an_admin(instance: Instance, admin: Member) -> None:
    assert (await call(instance, admin, "GET", MODE)).json() == {"mode": "allowlist"}
    changed = await call(instance, admin, "PUT", MODE, json={"mode": "closed"})
    assert changed.json() == {"mode": "closed"}
    assert await federation_mode(instance.store, "allowlist") == "closed"
    assert ("federation.mode", None, "admin") in await audit_actions(instance)


SCOPE_CASES = [
    ("read write", "GET", BLOCKS, 403),
    ("admin:read", "GET", BLOCKS, 200),
    ("admin:read", "POST", BLOCKS, 403),
    ("admin:read:domain_blocks", "GET", BLOCKS, 200),
    ("admin:read:domain_blocks", "GET", ALLOWS, 403),
    ("admin:read:domain_allows", "GET", ALLOWS, 200),
    ("admin:write:domain_allows", "POST", ALLOWS, 200),
    ("admin:write:domain_allows", "POST", BLOCKS, 403),
    ("admin:write:domain_blocks", "POST", BLOCKS, 200),
    ("admin:write", "PUT", MODE, 200),
]


async def test_scopes__each_endpoint_needs_its_admin_scope(instance: Instance) -> None:
    tokens: dict[str, Member] = {}
    for n, (scopes, method, path, status) in enumerate(SCOPE_CASES):
        if scopes not in tokens:
            tokens[scopes] = await staff(instance, f"admin{n}", scopes=scopes)
        body = {"domain": f"kommun-{n}.example", "mode": "blocklist"}
        sent = body if method != "GET" else None
        response = await call(instance, tokens[scopes], method, path, json=sent)
        assert response.status_code == status, (scopes, method, path, response.text)
        if status == 403:
            assert response.json() == {"error": "This action is outside the authorized scopes"}


async def test_roles__only_admins_may_and_nothing_changes(instance: Instance) -> None:
    users = await staff(instance, "someone", role="user", scopes="admin:read admin:write")
    mods = await staff(instance, "moderator", role="moderator", scopes="admin:read admin:write")
    before = await snapshot(instance.store)
    for who, method, path in [
        (w, m, p)
        for w in (users, mods)
        for m, p in [
            ("GET", BLOCKS),
            ("POST", BLOCKS),
            ("GET", ALLOWS),
            ("POST", ALLOWS),
            ("GET", MODE),
            ("PUT", MODE),
        ]
    ]:
        body = {"domain": "kommun-c.example", "mode": "closed"}
        response = await call(instance, who, method, path, json=body if method != "GET" else None)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json() == {"error": "This action is not allowed"}
    assert await snapshot(instance.store) == before


async def test_without_a_token__401(instance: Instance) -> None:
    assert (await instance.client.get(BLOCKS)).status_code == 401


BAD_INPUT = [
    ("POST", BLOCKS, {}, 400),
    ("POST", BLOCKS, {"domain": "inte en domän"}, 422),
    ("POST", BLOCKS, {"domain": "x.example", "severity": "nuke"}, 422),
    ("POST", BLOCKS, {"domain": "x.example", "severity": "noop"}, 422),
    ("POST", BLOCKS, {"domain": "x.example", "reject_media": "kanske"}, 422),
    ("POST", BLOCKS, {"domain": "x.example", "public_comment": "x" * 1001}, 422),
    ("POST", ALLOWS, {"domain": ""}, 400),
    ("POST", ALLOWS, {"domain": "nodot"}, 422),
    ("PUT", MODE, {"mode": "wide-open"}, 422),
    ("PUT", f"{BLOCKS}/123", {"severity": "suspend"}, 404),
    ("DELETE", f"{BLOCKS}/nope", None, 404),
    ("DELETE", f"{ALLOWS}/123", None, 404),
    ("GET", f"{BLOCKS}/123", None, 404),
]


async def test_bad_input__a_json_4xx_and_nothing_changes(instance: Instance, admin: Member) -> None:
    before = await snapshot(instance.store)
    for method, path, body, status in BAD_INPUT:
        response = await call(instance, admin, method, path, json=body)
        assert response.status_code == status, (method, path, body, response.text)
        assert isinstance(response.json()["error"], str)
    assert await snapshot(instance.store) == before


async def test_a_second_block_of_a_domain_is_refused_with_the_existing_one(
    instance: Instance, admin: Member
) -> None:
    first = await call(instance, admin, "POST", BLOCKS, data={"domain": "kommun-x.example"})
    assert first.json()["severity"] == "silence"  # Mastodon's default
    before = await snapshot(instance.store)
    second = await call(
        instance, admin, "POST", BLOCKS, data={"domain": "kommun-x.example", "severity": "suspend"}
    )
    assert second.status_code == 422
    assert second.json()["existing_domain_block"]["id"] == first.json()["id"]
    assert await snapshot(instance.store) == before
