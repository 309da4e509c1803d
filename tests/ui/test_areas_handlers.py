"""The groups, staff directory and admin pages in-process (no browser): each page answers,
forms change what they say through the domain services, CSRF is refused, and non-admins
get 403 on admin pages."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx
import pytest
from starlette.responses import Response

from fediverse import (
    accounts,
    announcements,
    departments,
    groups,
    instances,
    moderation,
    reports,
    staff_profiles,
)
from fediverse.accounts import NewUser, create_user
from fediverse.groups import NewGroup
from fediverse.moderation import AuditFilter
from fediverse.paging import PageQuery
from fediverse.reports import NewReport
from fediverse.runtime import Runtime
from fediverse.staff_profiles import StaffChange
from tests.conftest import make_settings
from web.app import create_app
from web.mastodon import sessions
from web.ui.areas import area_routes


@pytest.fixture
def database_kind() -> str:
    return "sqlite"  # the pages call services tested on both databases elsewhere


@cache
def _keys() -> dict[str, str]:
    return accounts.new_key_columns()


@pytest.fixture(autouse=True)
def one_key_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every account here shares one key pair: making a fresh RSA key per person is slow, and
    these tests sign nothing."""
    keys = _keys()
    monkeypatch.setattr(accounts, "new_key_columns", lambda: dict(keys))


@dataclass
class Person:
    username: str
    account_id: int
    client: httpx.AsyncClient

    async def form(self, path: str, **fields: str) -> httpx.Response:
        return await self.client.post(path, data={"csrf_token": self.csrf, **fields})

    @property
    def csrf(self) -> str:
        return str(self.client.headers["x-test-csrf"])


@dataclass
class Site:
    runtime: Runtime
    app: object
    base_url: str

    async def person(self, username: str, role: str = "user") -> Person:
        created = await create_user(
            self.runtime.store,
            self.base_url,
            NewUser(username, f"{username}@kommun-a.se", "password123", role),
        )
        settings = self.runtime.settings
        session = Response()
        sessions.start_session(session, settings, created.user_id)
        cookie = session.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]
        seed = secrets.token_urlsafe(32)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),  # type: ignore[arg-type]
            base_url=self.base_url,
            cookies={sessions.SESSION_COOKIE: cookie, sessions.CSRF_COOKIE: seed},
            headers={
                "origin": self.base_url,
                "accept-language": "sv",
                "x-test-csrf": sessions.csrf_token(settings, seed),
            },
        )
        return Person(username, created.account_id, client)


@pytest.fixture
async def site(database_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    settings = make_settings(database_url=database_url, media_dir=tmp_path / "media")
    app = create_app(settings, run_worker=False)
    async with app.router.lifespan_context(app):
        yield Site(app.state.runtime, app, settings.base_url)


async def test_groups__create_post_and_read_in_swedish(site: Site) -> None:
    anna = await site.person("anna")
    page = await anna.client.get("/groups/new")
    assert page.status_code == 200
    assert "Bara anställda i vår kommun kan gå med och läsa" in page.text
    created = await anna.form(
        "/groups", username="forskola", display_name="Förskolan", privacy="internal"
    )
    assert created.status_code == 303
    group_url = created.headers["location"].split("?")[0]
    posted = await anna.form(f"{group_url}/posts", status="Planeringsdag på fredag")
    assert posted.status_code == 303
    shown = await anna.client.get(group_url)
    assert "Planeringsdag på fredag" in shown.text
    assert "Ta bort från gruppen" in shown.text  # its creator moderates it
    assert '<span class="audience">Gruppen Förskolan</span>' in shown.text
    group_id = group_url.rsplit("/", 1)[1]
    home = await anna.client.get("/")
    assert f'value="group:{group_id}"' in home.text  # the composer offers the group
    from_home = await anna.form("/statuses", status="Från startsidan", audience=f"group:{group_id}")
    assert from_home.status_code == 303
    home = await anna.client.get("/")
    assert home.text.count('<span class="audience">Gruppen Förskolan</span>') == 2
    listed = await anna.client.get("/groups")
    assert "Förskolan" in listed.text
    status_id = posted.headers["location"].rsplit("#s-", 1)[1]
    removed = await anna.form(f"{group_url}/posts/{status_id}/remove")
    assert removed.headers["location"].endswith("notice=removed")
    assert "Planeringsdag på fredag" not in (await anna.client.get(group_url)).text


async def test_groups__closed_group_asks_and_a_moderator_approves(site: Site) -> None:
    anna, bertil = await site.person("anna"), await site.person("bertil")
    group_id = await groups.create_group(
        site.runtime, anna.account_id, NewGroup("rektorer", "Rektorer", privacy="closed")
    )
    shown = await bertil.client.get(f"/groups/{group_id}")
    assert "Ansök om medlemskap" in shown.text
    assert "Bara medlemmar läser gruppens inlägg." in shown.text
    asked = await bertil.form(f"/groups/{group_id}/join")
    assert asked.headers["location"].endswith("notice=asked")
    members = await anna.client.get(f"/groups/{group_id}/members")
    assert "@bertil" in members.text and "Godkänn" in members.text
    approved = await anna.form(
        f"/groups/{group_id}/moderate", action="approve", account_id=str(bertil.account_id)
    )
    assert approved.status_code == 303
    state = await groups.viewer_states(site.runtime.store, bertil.account_id, [group_id])
    assert state[group_id] == "member"
    refused = await bertil.form(
        f"/groups/{group_id}/moderate", action="ban", account_id=str(anna.account_id)
    )
    assert refused.status_code == 403
    left = await bertil.form(f"/groups/{group_id}/leave")
    assert left.headers["location"].endswith("notice=left")
    assert await groups.viewer_states(site.runtime.store, bertil.account_id, [group_id]) == {}


async def test_groups__a_join_request_is_told_to_each_moderator_in_both_languages(
    site: Site,
) -> None:
    anna, cia, dag, bertil = [await site.person(n) for n in ("anna", "cia", "dag", "bertil")]
    store = site.runtime.store
    group_id = await groups.create_group(
        site.runtime, anna.account_id, NewGroup("rektorer", "Rektorer", privacy="closed")
    )
    for member in (cia, dag):
        await groups.join(store, member.account_id, group_id)
        await groups.approve(store, anna.account_id, group_id, member.account_id)
    await groups.set_role(store, anna.account_id, group_id, cia.account_id, "moderator")
    await bertil.form(f"/groups/{group_id}/join")
    link = f'href="/groups/{group_id}/members#pending-title">'
    for moderator in (anna, cia):
        page = (await moderator.client.get("/notifications")).text
        assert ">bertil</a> vill gå med i gruppen Rektorer" in page
        assert f"{link}Svara på förfrågan" in page
    english = (await cia.client.get("/notifications?lang=en")).text
    assert "wants to join the group Rektorer" in english
    assert f"{link}Answer the request" in english
    assert "Rektorer" not in (await dag.client.get("/notifications")).text
    settings = (await cia.client.get("/settings")).text
    assert 'name="notify_group_join_request" checked' in settings
    assert "någon vill gå med i en grupp jag modererar" in settings

    await anna.form(
        f"/groups/{group_id}/moderate", action="approve", account_id=str(bertil.account_id)
    )
    assert "vill gå med" not in (await cia.client.get("/notifications")).text


async def test_groups__a_banned_colleague_cannot_join_again(site: Site) -> None:
    anna, bertil = await site.person("anna"), await site.person("bertil")
    group_id = await groups.create_group(site.runtime, anna.account_id, NewGroup("kultur"))
    await bertil.form(f"/groups/{group_id}/join")
    banned = await anna.form(
        f"/groups/{group_id}/moderate", action="ban", account_id=str(bertil.account_id)
    )
    assert banned.headers["location"].endswith("done=ban")
    members = await anna.client.get(f"/groups/{group_id}/members")
    assert "Avstängda" in members.text and "Häv avstängningen" in members.text
    again = await bertil.form(f"/groups/{group_id}/join")
    assert again.status_code == 403
    assert "Du är avstängd från den här gruppen" in again.text


async def test_groups__edit_is_for_moderators(site: Site) -> None:
    anna, bertil = await site.person("anna"), await site.person("bertil")
    group_id = await groups.create_group(site.runtime, anna.account_id, NewGroup("ekonomi"))
    assert (await bertil.client.get(f"/groups/{group_id}/edit")).status_code == 403
    saved = await anna.form(
        f"/groups/{group_id}/edit", display_name="Ekonomigruppen", note="Budget", privacy="open"
    )
    assert saved.status_code == 303
    group = await groups.get_group(site.runtime.store, group_id)
    assert (group.display_name, group.privacy) == ("Ekonomigruppen", "open")


async def test_directory__filters_by_department_with_its_units(site: Site) -> None:
    anna = await site.person("anna")
    cecilia, david = await site.person("cecilia"), await site.person("david")
    store = site.runtime.store
    school = await departments.create_department(store, "Utbildningsförvaltningen")
    unit = await departments.create_department(store, "Förskolan Solen", school.id)
    social = await departments.create_department(store, "Socialförvaltningen")
    await staff_profiles.update_staff_profile(
        store,
        cecilia.account_id,
        StaffChange(title="Förskollärare", department_id=unit.id, phone="070-123 45 67"),
    )
    await staff_profiles.update_staff_profile(
        store, david.account_id, StaffChange(title="Socialsekreterare", department_id=social.id)
    )
    page = await anna.client.get(f"/directory?department={school.id}")
    assert page.status_code == 200
    assert "Förskollärare" in page.text and "tel:070-1234567" in page.text
    assert "Socialsekreterare" not in page.text
    found = await anna.client.get("/directory?q=socialsekr")
    assert "@david" in found.text and "@cecilia" not in found.text


async def test_admin__pages_answer_403_to_staff_and_200_to_admins(site: Site) -> None:
    admin, bertil = await site.person("anna", "admin"), await site.person("bertil")
    moderator = await site.person("mona", "moderator")
    pages = ["/admin/users", "/admin/departments", "/admin/federation", "/admin/audit"]
    for path in [*pages, "/admin/instance", "/admin/reports"]:
        assert (await bertil.client.get(path)).status_code == 403, path
        assert (await admin.client.get(path)).status_code == 200, path
    for path in pages:
        assert (await moderator.client.get(path)).status_code == 403, path
    assert (await moderator.client.get("/admin/reports")).status_code == 200
    refused = await bertil.form("/admin/federation/domains", domain="kommun-b.se", policy="allow")
    assert refused.status_code == 403
    assert await instances.domain_policy(site.runtime.store, "kommun-b.se") is None


async def test_admin__allowing_a_domain_is_audited(site: Site) -> None:
    admin = await site.person("anna", "admin")
    done = await admin.form("/admin/federation/domains", domain="Kommun-B.se", policy="allow")
    assert done.status_code == 303
    policy = await instances.domain_policy(site.runtime.store, "kommun-b.se")
    assert policy is not None and policy.policy == "allow"
    log = await admin.client.get("/admin/audit")
    assert "domain.allow" in log.text and "kommun-b.se" in log.text
    await admin.form("/admin/federation/mode", mode="blocklist")
    assert await instances.federation_mode(site.runtime.store, "allowlist") == "blocklist"


async def test_admin__roles_departments_and_account_actions(site: Site) -> None:
    admin, bertil = await site.person("anna", "admin"), await site.person("bertil")
    store = site.runtime.store
    assert (
        await admin.form(f"/admin/users/{bertil.account_id}/role", role="moderator")
    ).status_code == 303
    assert (await moderation.admin_account(store, bertil.account_id))["role"] == "moderator"
    await groups.create_group(site.runtime, bertil.account_id, NewGroup("fackklubben"))
    listed = await admin.client.get("/admin/users")
    assert "@bertil" in listed.text and "@fackklubben" not in listed.text  # people, not groups
    last = await admin.form(f"/admin/users/{admin.account_id}/role", role="user")
    assert last.status_code == 422  # the last admin keeps the role
    await admin.form(f"/admin/users/{bertil.account_id}/action", action="disable")
    assert (await moderation.admin_account(store, bertil.account_id))["disabled"] is True
    await admin.form("/admin/departments", name="Kulturförvaltningen")
    [culture] = await departments.list_departments(store)
    await admin.form(f"/admin/departments/{culture.id}", name="Kultur och fritid", parent_id="")
    assert (await departments.get_department(store, culture.id)).name == "Kultur och fritid"
    actions = {e["action"] for e in await moderation.audit_page(store, AuditFilter(), PageQuery())}
    assert {"user.role", "account.disable", "department.create", "department.update"} <= actions


async def test_admin__a_moderator_resolves_a_report(site: Site) -> None:
    mona = await site.person("mona", "moderator")
    bertil, cecilia = await site.person("bertil"), await site.person("cecilia")
    report_id = await reports.file_report(
        site.runtime.store, bertil.account_id, NewReport(cecilia.account_id, comment="Spam")
    )
    listed = await mona.client.get("/admin/reports")
    assert f"/admin/reports/{report_id}" in listed.text
    assert (await mona.client.get(f"/admin/reports/{report_id}")).status_code == 200
    await mona.form(f"/admin/reports/{report_id}", action="resolve")
    assert (await reports.get_report(site.runtime.store, report_id))["action_taken_at"]


async def test_forms__without_a_valid_csrf_token_are_refused(site: Site) -> None:
    """Every form of these pages: a forged token, or the right one from another origin."""
    admin = await site.person("anna", "admin")
    group_id = await groups.create_group(site.runtime, admin.account_id, NewGroup("hr"))
    fields = {"username": "nya", "privacy": "internal", "status": "hej", "name": "Ny"}
    fields |= {"domain": "kommun-c.se", "policy": "allow", "text": "Hej", "role": "user"}
    posts = [r.path for r in area_routes() if "POST" in (getattr(r, "methods", None) or ())]
    assert len(posts) >= 15
    for template in posts:
        path = template.replace("{id}", str(group_id)).replace("{status_id}", "1")
        forged = await admin.client.post(path, data={"csrf_token": "forged", **fields})
        assert forged.status_code == 403, path
        cross_site = await admin.client.post(
            path,
            data={"csrf_token": admin.csrf, **fields},
            headers={"origin": "https://evil.example"},
        )
        assert cross_site.status_code == 403, path
    assert await instances.domain_policy(site.runtime.store, "kommun-c.se") is None
    assert await departments.list_departments(site.runtime.store) == []
    assert await announcements.all_announcements(site.runtime.store) == []
    assert [g.username for g in await groups.list_groups(site.runtime.store, 0, mine=False)] == [
        "hr"
    ]


async def test_directory__my_entry_is_saved_and_found(site: Site) -> None:
    cecilia = await site.person("cecilia")
    unit = await departments.create_department(site.runtime.store, "Hemtjänsten Norr")
    form = await cecilia.client.get("/directory/me")
    assert "Din uppgift i personalkatalogen" in form.text
    saved = await cecilia.form(
        "/directory/me",
        title="Undersköterska",
        department_id=str(unit.id),
        phone="+46 70 111 22 33",
        workplace="Norrgården",
        languages="svenska, finska",
        ask_me_about="dokumentation",
    )
    assert saved.headers["location"] == "/directory/me?saved=1"
    found = await cecilia.client.get("/directory?q=finska&lang=en")
    assert "Undersköterska" not in found.text  # languages are not searched, topics are
    found = await cecilia.client.get("/directory?q=dokumentation&lang=en")
    assert "Undersköterska" in found.text and "Hemtjänsten Norr" in found.text
    assert "Ask me about" in found.text and "svenska, finska" in found.text
    refused = await cecilia.form("/directory/me", phone="ring mig")
    assert refused.status_code == 422 and "ring mig" in refused.text


async def test_announcements__shown_at_home_until_read_and_the_admin_sees_who_read(
    site: Site,
) -> None:
    admin, bertil = await site.person("anna", "admin"), await site.person("bertil")
    created = await admin.form("/admin/announcements", text="Nytt intranät i maj", published="on")
    assert created.headers["location"] == "/admin/announcements?done=created"
    home = await bertil.client.get("/")
    assert "Nytt intranät i maj" in home.text and "Jag har läst det" in home.text
    [shown] = await announcements.all_announcements(site.runtime.store)
    read = await bertil.form(f"/announcements/{shown.row['id']}/dismiss")
    assert read.headers["location"] == "/"
    assert "Nytt intranät i maj" not in (await bertil.client.get("/")).text
    page = await admin.client.get("/admin/announcements")
    assert "Läst av 1" in page.text and "/@bertil" in page.text
    assert (await bertil.client.get("/admin/announcements")).status_code == 403
    await admin.form(f"/admin/announcements/{shown.row['id']}", action="delete")
    assert await announcements.all_announcements(site.runtime.store) == []


async def test_groups__opened_by_address_here_or_refused_elsewhere(site: Site) -> None:
    anna = await site.person("anna")
    group_id = await groups.create_group(site.runtime, anna.account_id, NewGroup("forskolan"))
    for address in ("forskolan", "@forskolan@kommun-a.test"):
        found = await anna.client.get("/groups/find", params={"address": address})
        assert found.headers["location"] == f"/groups/{group_id}", address
    # allowlist mode and an unknown domain: refused before any request leaves
    for address in ("larare@kommun-x.invalid", "lärare@kommun-x.invalid"):  # refused, malformed
        missing = await anna.client.get("/groups/find", params={"address": address})
        assert missing.status_code == 404
        assert f"Ingen grupp hittades på ”{address}”." in missing.text
    not_a_group = await anna.client.get("/groups/find", params={"address": "anna"})
    assert not_a_group.status_code == 404
