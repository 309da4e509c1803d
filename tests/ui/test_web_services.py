"""The web app's own domain services, on SQLite and PostgreSQL: the signed-in user with the
unread count, connected apps, the export, the accessibility statement and reports."""

from __future__ import annotations

import pytest

from fediverse import accessibility, connected_apps, oauth
from fediverse.accessibility import ProblemReport
from fediverse.accounts import NewUser, create_user
from fediverse.errors import ValidationError
from fediverse.export import export_account
from fediverse.notifications import notify
from fediverse.storage.database import Store
from fediverse.web_users import set_locale, staff_card, web_user

BASE = "http://kommun-a.test"


async def _user(store: Store, name: str, role: str = "user") -> tuple[int, int]:
    created = await create_user(
        store, BASE, NewUser(name, f"{name}@kommun-a.se", "lösen-123", role)
    )
    return created.user_id, created.account_id


async def test_web_user__with_role_locale_and_unread_notifications(store: Store) -> None:
    user_id, account_id = await _user(store, "anna", "admin")
    _, other = await _user(store, "bertil")
    found = await web_user(store, user_id)
    assert found is not None and found.is_admin and found.locale == "sv"
    assert found.unread_notifications == 0 and found.default_local_only
    async with store.write() as conn:
        for _ in range(2):
            await notify(store, conn, account_id=account_id, from_account_id=other, type="follow")
    await set_locale(store, user_id, "en")
    found = await web_user(store, user_id)
    assert found is not None and found.unread_notifications == 2 and found.locale == "en"
    with pytest.raises(ValidationError):
        await set_locale(store, user_id, "de")
    assert await web_user(store, 12345) is None
    assert (await staff_card(store, account_id)).title == ""


async def test_connected_apps__listed_then_revoked(store: Store) -> None:
    user_id, _ = await _user(store, "anna")
    app, _secret = await oauth.create_application(
        store,
        name="Elk",
        redirect_uris=[oauth.OOB],
        scopes=oauth.parse_scopes("read"),
        website=None,
    )
    async with store.write() as conn:
        issued = await oauth._issue(store, conn, app.id, user_id, oauth.parse_scopes("read"))
    [listed] = await connected_apps.connected_apps(store, user_id)
    assert listed.name == "Elk" and listed.scopes == frozenset({"read"})
    await connected_apps.revoke_app(store, user_id, app.id)
    assert await connected_apps.connected_apps(store, user_id) == []
    assert await oauth.authenticate(store, issued.access_token) is None


async def test_export__profile_and_settings(store: Store) -> None:
    _, account_id = await _user(store, "anna")
    data = await export_account(store, account_id)
    assert data["format"] == "kollegium-export/1"
    assert data["profile"]["username"] == "anna" and data["profile"]["email"] == "anna@kommun-a.se"
    assert data["statuses"] == [] and data["following"] == []


async def test_accessibility__statement_audited_reports_kept(store: Store) -> None:
    _, account_id = await _user(store, "anna", "admin")
    assert (await accessibility.statement(store)).text == ""
    await accessibility.set_statement(
        store, "Vi följer WCAG 2.1 AA.", actor="anna", account_id=account_id
    )
    await accessibility.set_statement(store, "Uppdaterad.", actor="anna", account_id=account_id)
    assert (await accessibility.statement(store)).text == "Uppdaterad."
    await accessibility.report_problem(store, ProblemReport("Fokus syns inte", page="/search"))
    with pytest.raises(ValidationError):
        await accessibility.report_problem(store, ProblemReport("   "))
    [report] = await accessibility.open_reports(store)
    assert report["description"] == "Fokus syns inte" and report["account_id"] is None
