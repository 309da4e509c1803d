"""The staff directory through the API: departments (admins), profile fields, the directory."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from fediverse.accounts import new_key_columns
from fediverse.storage.tables import audit_log, jobs, users
from tests.web.mastodon.conftest import Instance, Member, snapshot

ADMIN_SCOPES = "read write admin:read admin:write"
_KEYS = new_key_columns()


@pytest.fixture(autouse=True)
def shared_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generating RSA keys and hashing passwords are most of a test's time: every account
    here shares one key, and passwords (never used here) are not hashed."""
    monkeypatch.setattr("fediverse.accounts.new_key_columns", lambda: dict(_KEYS))
    monkeypatch.setattr("fediverse.accounts.hash_password", lambda password: "unused")


async def with_role(instance: Instance, member: Member, role: str) -> Member:
    async with instance.store.write() as conn:
        await conn.execute(update(users).where(users.c.id == member.user_id).values(role=role))
    return member


async def department(instance: Instance, admin: Member, name: str, parent: Any = None) -> str:
    data = {"name": name} | ({"parent_id": parent} if parent else {})
    response = await instance.client.post(
        "/api/v1/admin/departments", json=data, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def set_profile(instance: Instance, member: Member, **fields: Any) -> dict[str, Any]:
    response = await instance.client.patch(
        "/api/v1/accounts/update_credentials", json={"kollegium": fields}, headers=member.headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
async def admin(instance: Instance) -> Member:
    return await with_role(instance, await instance.member("admin", scopes=ADMIN_SCOPES), "admin")


async def test_departments__admins_manage_the_tree_and_every_change_is_audited(
    instance: Instance, admin: Member
) -> None:
    edu = await department(instance, admin, "Utbildningsförvaltningen")
    pre = await department(instance, admin, "Förskola", edu)
    client = instance.client
    listed = (await client.get("/api/v1/admin/departments", headers=admin.headers)).json()
    assert [(d["path"], d["parent_id"]) for d in listed] == [
        ("Utbildningsförvaltningen", None),
        ("Utbildningsförvaltningen/Förskola", edu),
    ]
    renamed = await client.patch(
        f"/api/v1/admin/departments/{pre}", json={"name": "Förskolor"}, headers=admin.headers
    )
    assert renamed.json()["path"] == "Utbildningsförvaltningen/Förskolor"
    refused = await client.delete(f"/api/v1/admin/departments/{edu}", headers=admin.headers)
    assert refused.status_code == 409 and "error" in refused.json()
    gone = await client.delete(f"/api/v1/admin/departments/{pre}", headers=admin.headers)
    assert gone.status_code == 200
    public = (await client.get("/api/v1/directory/departments", headers=admin.headers)).json()
    assert [d["name"] for d in public] == ["Utbildningsförvaltningen"]
    assert (await client.get("/api/v1/directory/departments")).status_code == 401
    async with instance.store.read() as conn:
        actions = [r[0] for r in await conn.fetch_all(select(audit_log.c.action))]
    assert actions.count("department.create") == 2
    assert "department.update" in actions and "department.delete" in actions


async def test_departments__only_admins_and_bad_input_changes_nothing(
    instance: Instance, admin: Member
) -> None:
    moderator = await with_role(
        instance, await instance.member("mod", scopes=ADMIN_SCOPES), "moderator"
    )
    plain = await instance.member("anna", scopes=ADMIN_SCOPES)
    no_scope = await instance.member("bo")
    edu = await department(instance, admin, "Utbildningsförvaltningen")
    before = await snapshot(instance.store)
    client, url = instance.client, "/api/v1/admin/departments"
    for member in (moderator, plain):
        response = await client.post(url, json={"name": "X"}, headers=member.headers)
        assert response.status_code == 403 and response.json()["error"]
    assert (await client.get(url, headers=no_scope.headers)).status_code == 403
    assert (await client.get(url)).status_code == 401
    for bad in ({"name": ""}, {"name": "a/b"}, {"name": "x", "parent_id": "123"}, {}):
        response = await client.post(url, json=bad, headers=admin.headers)
        assert 400 <= response.status_code < 500 and "error" in response.json(), bad
    loop = await client.patch(f"{url}/{edu}", json={"parent_id": edu}, headers=admin.headers)
    assert loop.status_code == 422
    assert (await client.get(f"{url}/999", headers=admin.headers)).status_code == 404
    assert await snapshot(instance.store) == before


async def test_profile__staff_fields_are_set_shown_and_published_on_the_actor(
    instance: Instance, admin: Member
) -> None:
    edu = await department(instance, admin, "Utbildningsförvaltningen")
    anna = await instance.member("anna")
    entity = await set_profile(
        instance,
        anna,
        title="Förskollärare",
        department_id=edu,
        phone="+46 8 123 45",
        workplace="Solrosens förskola",
        languages=["svenska", "arabiska"],
        ask_me_about=["Montessori", "IKT"],
    )
    assert entity["kollegium"] == {
        "title": "Förskollärare",
        "department": {"id": edu, "name": "Utbildningsförvaltningen"},
        "phone": "+46 8 123 45",
        "workplace": "Solrosens förskola",
        "languages": ["svenska", "arabiska"],
        "ask_me_about": ["Montessori", "IKT"],
    }
    colleague = await instance.member("bertil")
    shown = await instance.client.get(
        f"/api/v1/accounts/{anna.account_id}", headers=colleague.headers
    )
    assert shown.json()["kollegium"] == entity["kollegium"]
    # Contact details are for colleagues: not for a visitor, not on the public actor.
    anonymous = (await instance.client.get(f"/api/v1/accounts/{anna.account_id}")).json()
    assert anonymous["kollegium"] == {
        "title": "Förskollärare",
        "department": {"id": edu, "name": "Utbildningsförvaltningen"},
    }
    actor = await instance.client.get(
        "/users/anna", headers={"Accept": "application/activity+json"}
    )
    attachments = {a["name"]: a["value"] for a in actor.json()["attachment"]}
    assert attachments == {"Titel": "Förskollärare", "Förvaltning": "Utbildningsförvaltningen"}
    assert "+46 8 123 45" not in actor.text
    cleared = await set_profile(instance, anna, department_id="", phone="")
    assert cleared["kollegium"]["department"] is None and cleared["kollegium"]["phone"] == ""
    assert cleared["kollegium"]["title"] == "Förskollärare"
    async with instance.store.read() as conn:
        names = [r[0] for r in await conn.fetch_all(select(jobs.c.payload))]
    assert any("actor.update" in payload for payload in names)


async def test_profile__bad_staff_fields_are_422_and_change_nothing(instance: Instance) -> None:
    anna = await instance.member("anna")
    before = await snapshot(instance.store)
    for bad in (
        {"kollegium": {"department_id": "999"}},
        {"kollegium": {"phone": "ring mig"}},
        {"kollegium": {"title": "x" * 201}},
        {"kollegium": {"languages": [f"språk{i}" for i in range(11)]}},
        {"kollegium": {"title": "ok"}, "display_name": "x" * 31},
        {"kollegium": "nonsense"},
    ):
        response = await instance.client.patch(
            "/api/v1/accounts/update_credentials", json=bad, headers=anna.headers
        )
        assert response.status_code == 422 and response.json()["error"], bad
    assert await snapshot(instance.store) == before


async def test_directory__mastodon_params_and_department_filters(
    instance: Instance, admin: Member
) -> None:
    edu = await department(instance, admin, "Utbildningsförvaltningen")
    pre = await department(instance, admin, "Förskola", edu)
    social = await department(instance, admin, "Socialförvaltningen")
    anna, bo, cissi = [await instance.member(n) for n in ("anna", "bo", "cissi")]
    await set_profile(instance, anna, department_id=pre, ask_me_about=["Montessori"])
    await set_profile(instance, bo, department_id=edu, title="Rektor")
    await set_profile(instance, cissi, department_id=social)
    await instance.client.post(
        "/api/v1/statuses", data={"status": "Hej"}, headers=bo.headers
    )  # bo is the most recently active
    hidden = await instance.member("dolt")
    await instance.client.patch(
        "/api/v1/accounts/update_credentials",
        data={"discoverable": "false"},
        headers=hidden.headers,
    )

    async def names(**params: Any) -> list[str]:
        response = await instance.client.get(
            "/api/v1/directory", params=params, headers=anna.headers
        )
        assert response.status_code == 200, response.text
        return [a["username"] for a in response.json()]

    assert (await names(local="true", order="active"))[0] == "bo"
    assert "dolt" not in await names(local="true")
    assert await names(order="new", local="true", limit=2) == ["cissi", "bo"]
    assert await names(order="new", local="true", limit=2, offset=1) == ["bo", "anna"]
    assert sorted(await names(department=edu)) == ["anna", "bo"]  # with its units
    assert await names(department=pre) == ["anna"]
    assert await names(department=social) == ["cissi"]
    assert await names(q="montessori") == ["anna"]
    assert await names(q="rektor") == ["bo"]
    for bad in ({"order": "random"}, {"offset": "-1"}, {"limit": "x"}):
        response = await instance.client.get("/api/v1/directory", params=bad, headers=anna.headers)
        assert response.status_code == 422 and "error" in response.json(), bad
    missing = await instance.client.get("/api/v1/directory?department=999", headers=anna.headers)
    assert missing.status_code == 404
    anonymous = await instance.client.get("/api/v1/directory")
    assert anonymous.status_code == 401 and "error" in anonymous.json()
