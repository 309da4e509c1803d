"""Moderation through the API: reports filed by staff, Mastodon's admin reports and accounts
APIs (roles and scopes), status removal, and the audit log only admins read."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import func, insert, select

from fediverse.accounts import new_key_columns
from fediverse.storage.tables import accounts, audit_log, jobs, notifications, reports, statuses
from tests.web.mastodon.conftest import Instance, Member, snapshot
from tests.web.mastodon.test_directory import with_role

STAFF_SCOPES = "read write admin:read admin:write"
_KEYS = new_key_columns()


@pytest.fixture(autouse=True)
def shared_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every account shares one key and no password is hashed: they are most of the time."""
    monkeypatch.setattr("fediverse.accounts.new_key_columns", lambda: dict(_KEYS))
    monkeypatch.setattr("fediverse.accounts.hash_password", lambda password: "unused")


class Staff:
    """An admin, a moderator, a reporter and the reported, with a post of the reported."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance

    async def start(self) -> Staff:
        member = self.instance.member
        self.admin = await with_role(
            self.instance, await member("admin", scopes=STAFF_SCOPES), "admin"
        )
        self.mod = await with_role(
            self.instance, await member("mod", scopes=STAFF_SCOPES), "moderator"
        )
        self.anna = await member("anna", scopes=STAFF_SCOPES)  # a user, whatever her scopes
        self.troll = await member("troll")
        posted = await self.instance.client.post(
            "/api/v1/statuses", data={"status": "Otrevligt"}, headers=self.troll.headers
        )
        self.status_id = posted.json()["id"]
        return self

    async def report(self, **extra: Any) -> dict[str, Any]:
        data = {
            "account_id": str(self.troll.account_id),
            "status_ids": [self.status_id],
            "comment": "Otrevlig ton",
            "category": "violation",
        } | extra
        response = await self.instance.client.post(
            "/api/v1/reports", json=data, headers=self.anna.headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def call(self, method: str, url: str, member: Member, **kwargs: Any) -> Any:
        return await self.instance.client.request(method, url, headers=member.headers, **kwargs)


@pytest.fixture
async def staff(instance: Instance) -> Staff:
    return await Staff(instance).start()


async def count(instance: Instance, table: Any, *where: Any) -> int:
    async with instance.store.read() as conn:
        return int(await conn.fetch_val(select(func.count()).select_from(table).where(*where)))


async def actions(instance: Instance) -> list[str]:
    async with instance.store.read() as conn:
        rows = await conn.fetch_all(select(audit_log.c.action).order_by(audit_log.c.id))
    return [r[0] for r in rows]


async def test_report__filed_by_staff_notifies_admins_and_moderators(staff: Staff) -> None:
    entity = await staff.report()
    assert entity["category"] == "violation" and entity["status_ids"] == [staff.status_id]
    assert entity["target_account"]["username"] == "troll" and entity["forwarded"] is False
    assert entity["action_taken"] is False
    for member in (staff.admin, staff.mod):
        listed = await staff.call(
            "GET", "/api/v1/notifications", member, params={"types[]": "admin.report"}
        )
        assert [n["type"] for n in listed.json()] == ["admin.report"]
        assert listed.json()[0]["report"]["id"] == entity["id"]
        assert listed.json()[0]["report"]["target_account"]["username"] == "troll"
    assert await count(staff.instance, notifications, notifications.c.type == "admin.report") == 2


async def test_report__bad_input_is_4xx_and_changes_nothing(staff: Staff) -> None:
    other = await staff.instance.client.post(
        "/api/v1/statuses", data={"status": "Mitt"}, headers=staff.admin.headers
    )
    before = await snapshot(staff.instance.store)
    for bad, status in (
        ({"account_id": "999"}, 404),
        ({"status_ids": [other.json()["id"]]}, 422),  # not the reported account's
        ({"category": "boring"}, 422),
        ({"comment": "x" * 1001}, 422),
        ({"account_id": str(staff.anna.account_id), "status_ids": []}, 422),  # oneself
        ({"account_id": ""}, 400),
    ):
        response = await staff.instance.client.post(
            "/api/v1/reports",
            json={"account_id": str(staff.troll.account_id)} | bad,
            headers=staff.anna.headers,
        )
        assert response.status_code == status and "error" in response.json(), bad
    assert await snapshot(staff.instance.store) == before


async def test_admin_reports__list_assign_resolve_reopen_by_moderators(staff: Staff) -> None:
    report_id = (await staff.report())["id"]
    base = "/api/v1/admin/reports"
    listed = (await staff.call("GET", base, staff.mod)).json()
    assert [r["id"] for r in listed] == [report_id]
    shown = listed[0]
    assert shown["account"]["account"]["username"] == "anna"
    assert shown["target_account"]["username"] == "troll"
    assert [s["id"] for s in shown["statuses"]] == [staff.status_id]
    assigned = (await staff.call("POST", f"{base}/{report_id}/assign_to_self", staff.mod)).json()
    assert assigned["assigned_account"]["id"] == str(staff.mod.account_id)
    unassigned = (await staff.call("POST", f"{base}/{report_id}/unassign", staff.mod)).json()
    assert unassigned["assigned_account"] is None
    resolved = (await staff.call("POST", f"{base}/{report_id}/resolve", staff.admin)).json()
    assert resolved["action_taken"] is True
    assert resolved["action_taken_by_account"]["id"] == str(staff.admin.account_id)
    assert (await staff.call("GET", base, staff.mod)).json() == []
    done = (await staff.call("GET", base, staff.mod, params={"resolved": "true"})).json()
    assert [r["id"] for r in done] == [report_id]
    reopened = (await staff.call("POST", f"{base}/{report_id}/reopen", staff.mod)).json()
    assert reopened["action_taken"] is False
    assert (await actions(staff.instance))[-4:] == [
        "report.assign",
        "report.unassign",
        "report.resolve",
        "report.reopen",
    ]


async def test_admin_api__roles_and_scopes_are_enforced_and_change_nothing(
    staff: Staff,
) -> None:
    report_id = (await staff.report())["id"]
    reader = await with_role(
        staff.instance,
        await staff.instance.member("reader", scopes="read admin:read:reports"),
        "moderator",
    )
    before = await snapshot(staff.instance.store)
    troll = staff.troll.account_id
    writes = [
        ("POST", f"/api/v1/admin/reports/{report_id}/resolve", {}),
        ("POST", f"/api/v1/admin/accounts/{troll}/action", {"json": {"type": "suspend"}}),
        ("POST", f"/api/v1/admin/accounts/{troll}/unsilence", {}),
        ("DELETE", f"/api/v1/admin/statuses/{staff.status_id}", {}),
    ]
    for method, url, kwargs in writes:
        assert (await staff.call(method, url, staff.anna, **kwargs)).status_code == 403  # role
        assert (await staff.call(method, url, reader, **kwargs)).status_code == 403  # scope
        assert (await staff.instance.client.request(method, url)).status_code == 401
    assert (await staff.call("GET", "/api/v1/admin/reports", reader)).status_code == 200
    assert (await staff.call("GET", "/api/v1/admin/accounts", reader)).status_code == 403
    assert (await staff.call("GET", "/api/v1/admin/reports", staff.anna)).status_code == 403
    for log_reader, status in ((staff.mod, 403), (staff.anna, 403), (staff.troll, 403)):
        response = await staff.call("GET", "/api/v1/admin/audit_log", log_reader)
        assert response.status_code == status and "error" in response.json()
    silence = {"json": {"type": "silence"}}
    bad = [
        ("POST", f"/api/v1/admin/accounts/{troll}/action", {"json": {"type": "banish"}}, 422),
        ("POST", f"/api/v1/admin/accounts/{troll}/action", {"json": {}}, 400),
        (
            "POST",
            f"/api/v1/admin/accounts/{staff.mod.account_id}/action",
            {"json": {"type": "suspend"}},
            422,
        ),
        ("POST", "/api/v1/admin/accounts/999/action", {"json": {"type": "silence"}}, 404),
        ("POST", f"/api/v1/admin/accounts/{staff.admin.account_id}/action", silence, 403),
        ("POST", f"/api/v1/admin/accounts/{staff.admin.account_id}/unsilence", {}, 403),
        ("POST", "/api/v1/admin/reports/999/resolve", {}, 404),
        ("GET", "/api/v2/admin/accounts", {"params": {"status": "weird"}}, 422),
        ("GET", "/api/v2/admin/accounts", {"params": {"origin": "mars"}}, 422),
    ]
    for method, url, kwargs, status in bad:
        response = await staff.call(method, url, staff.mod, **kwargs)
        assert response.status_code == status and "error" in response.json(), (url, kwargs)
    assert await snapshot(staff.instance.store) == before
    mod_url = f"/api/v1/admin/accounts/{staff.mod.account_id}"
    assert (
        await staff.call("POST", f"{mod_url}/action", staff.admin, **silence)
    ).status_code == 200
    assert (await staff.call("POST", f"{mod_url}/unsilence", staff.admin)).status_code == 200


async def test_admin_accounts__lists_and_actions_taken_on_a_report(staff: Staff) -> None:
    report_id = (await staff.report())["id"]
    base, troll = "/api/v1/admin/accounts", staff.troll.account_id
    v1 = (
        await staff.call("GET", base, staff.mod, params={"local": "true", "staff": "true"})
    ).json()
    assert sorted(a["username"] for a in v1) == ["admin", "mod"]
    assert v1[0]["account"]["acct"] in ("admin", "mod") and v1[0]["role"]["name"]
    v2 = await staff.call("GET", "/api/v2/admin/accounts", staff.mod, params={"username": "tro"})
    assert [a["id"] for a in v2.json()] == [str(troll)]
    taken = await staff.call(
        "POST",
        f"{base}/{troll}/action",
        staff.mod,
        json={"type": "silence", "report_id": report_id, "text": "Ton"},
    )
    assert taken.status_code == 200 and taken.json() == {}
    shown = (await staff.call("GET", f"{base}/{troll}", staff.mod)).json()
    assert shown["silenced"] is True and shown["email"] == "troll@kommun-a.se"
    report = (await staff.call("GET", f"/api/v1/admin/reports/{report_id}", staff.mod)).json()
    assert report["action_taken"] is True
    directory = (await staff.call("GET", "/api/v1/directory?local=true", staff.anna)).json()
    assert "troll" not in [a["username"] for a in directory]
    silenced = await staff.call(
        "GET", "/api/v2/admin/accounts", staff.mod, params={"status": "silenced"}
    )
    assert [a["id"] for a in silenced.json()] == [str(troll)]
    unsilenced = (await staff.call("POST", f"{base}/{troll}/unsilence", staff.mod)).json()
    assert unsilenced["silenced"] is False
    post = f"/api/v1/statuses/{staff.status_id}"
    assert (await staff.call("GET", post, staff.anna)).status_code == 200
    await staff.call("POST", f"{base}/{troll}/action", staff.mod, json={"type": "suspend"})
    locked_out = await staff.call("GET", "/api/v1/accounts/verify_credentials", staff.troll)
    assert locked_out.status_code == 401
    # Shown as Mastodon shows a suspended account: suspended, its profile blank.
    blank = (await staff.instance.client.get(f"/api/v1/accounts/{troll}")).json()
    assert blank["suspended"] is True and blank["display_name"] == "" and blank["note"] == ""
    # A suspended account's posts are not shown one by one either, as in Mastodon.
    for path in (post, f"{post}/context", f"{post}/favourited_by"):
        assert (await staff.call("GET", path, staff.anna)).status_code == 404, path
    restored = (await staff.call("POST", f"{base}/{troll}/unsuspend", staff.mod)).json()
    assert restored["suspended"] is False
    await staff.call("POST", f"{base}/{troll}/action", staff.mod, json={"type": "sensitive"})
    assert (await staff.call("GET", post, staff.anna)).json()["sensitive"] is True
    await staff.call("POST", f"{base}/{troll}/unsensitive", staff.mod)
    assert (await staff.call("GET", post, staff.anna)).json()["sensitive"] is False
    await staff.call("POST", f"{base}/{troll}/action", staff.mod, json={"type": "disable"})
    assert (await staff.call("GET", f"{base}/{troll}", staff.mod)).json()["disabled"] is True
    enabled = (await staff.call("POST", f"{base}/{troll}/enable", staff.mod)).json()
    assert enabled["disabled"] is False
    assert (await actions(staff.instance))[-8:] == [
        "account.silence",
        "account.unsilence",
        "account.suspend",
        "account.unsuspend",
        "account.sensitive",
        "account.unsensitive",
        "account.disable",
        "account.enable",
    ]


async def test_status_removal__by_a_moderator_on_a_report_and_directly(staff: Staff) -> None:
    report_id = (await staff.report())["id"]
    removed = await staff.call(
        "POST", f"/api/v1/admin/reports/{report_id}/remove_statuses", staff.mod
    )
    assert removed.status_code == 200
    assert await count(staff.instance, statuses, statuses.c.id == int(staff.status_id)) == 0
    second = await staff.instance.client.post(
        "/api/v1/statuses", data={"status": "Igen"}, headers=staff.troll.headers
    )
    gone = await staff.call("DELETE", f"/api/v1/admin/statuses/{second.json()['id']}", staff.mod)
    assert gone.status_code == 200
    again = await staff.call("DELETE", f"/api/v1/admin/statuses/{second.json()['id']}", staff.mod)
    assert again.status_code == 404
    assert (await actions(staff.instance))[-2:] == ["status.remove", "status.remove"]


async def test_audit_log__admins_read_it_newest_first_with_filters_and_pages(
    staff: Staff,
) -> None:
    report_id = (await staff.report())["id"]
    for step in ("assign_to_self", "unassign", "resolve"):
        await staff.call("POST", f"/api/v1/admin/reports/{report_id}/{step}", staff.mod)
    url = "/api/v1/admin/audit_log"
    everything = (await staff.call("GET", url, staff.admin)).json()
    assert [e["action"] for e in everything[:3]] == [
        "report.resolve",
        "report.unassign",
        "report.assign",
    ]
    assert everything[0]["actor"] == "mod" and everything[0]["target"] == report_id
    by_mod = await staff.call("GET", url, staff.admin, params={"actor": "mod"})
    assert {e["actor"] for e in by_mod.json()} == {"mod"}
    reports_only = await staff.call("GET", url, staff.admin, params={"action": "report."})
    assert len(reports_only.json()) == 3
    page = await staff.call("GET", url, staff.admin, params={"limit": 2})
    assert len(page.json()) == 2 and 'rel="next"' in page.headers["link"]
    older = await staff.call(
        "GET", url, staff.admin, params={"limit": 2, "max_id": page.json()[-1]["id"]}
    )
    assert int(older.json()[0]["id"]) < int(page.json()[-1]["id"])
    assert await count(staff.instance, reports) == 1


async def test_report__forward_enqueues_a_flag_only_for_a_remote_account(staff: Staff) -> None:
    now = 1_700_000_000_000
    remote_id = 4242
    async with staff.instance.store.write() as conn:
        await conn.execute(
            insert(accounts).values(
                id=remote_id,
                username="troll",
                domain="mastodon.example",
                uri="https://mastodon.example/users/troll",
                inbox_url="https://mastodon.example/users/troll/inbox",
                created_at=now,
                updated_at=now,
            )
        )
    local = await staff.report(forward="true")
    assert local["forwarded"] is False
    remote = await staff.report(account_id=str(remote_id), status_ids=[], forward="true")
    assert remote["forwarded"] is True
    async with staff.instance.store.read() as conn:
        payloads = [orjson.loads(r[0]) for r in await conn.fetch_all(select(jobs.c.payload))]
    forwards = [p for p in payloads if p.get("kind") == "report.forward"]
    assert [p["report_id"] for p in forwards] == [int(remote["id"])]
    assert forwards[0]["instance_actor_id"]


async def test_admin_accounts__approve_shows_an_account_and_reject_finds_nothing_pending(
    staff: Staff,
) -> None:
    base, troll = "/api/v1/admin/accounts", staff.troll.account_id
    before = await actions(staff.instance)
    approved = await staff.call("POST", f"{base}/{troll}/approve", staff.mod)
    assert approved.status_code == 200
    assert approved.json()["approved"] is True and approved.json()["id"] == str(troll)
    rejected = await staff.call("POST", f"{base}/{troll}/reject", staff.mod)
    assert rejected.status_code == 403 and "not pending" in rejected.json()["error"]
    assert (await staff.call("POST", f"{base}/999/approve", staff.mod)).status_code == 404
    assert (await staff.call("POST", f"{base}/{troll}/approve", staff.anna)).status_code == 403
    assert await actions(staff.instance) == before
