"""The web app's own pages in-process (no browser): each answers with the security headers,
forms change things through the domain services, and a form without its token changes
nothing."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest
from starlette.responses import Response

from fediverse import accessibility, notifications, oauth
from fediverse.accounts import NewUser, create_user
from fediverse.paging import PageQuery
from fediverse.runtime import Runtime
from tests.conftest import make_settings
from web.app import create_app
from web.mastodon import sessions
from web.ui.security import CSP


@pytest.fixture
def database_kind() -> str:
    return "sqlite"  # the pages call services tested on both databases elsewhere


@dataclass
class Person:
    username: str
    user_id: int
    account_id: int
    client: httpx.AsyncClient
    csrf: str

    async def form(self, path: str, **fields: str) -> httpx.Response:
        return await self.client.post(path, data={"csrf_token": self.csrf, **fields})


@dataclass
class Site:
    runtime: Runtime
    app: object
    base_url: str

    def client(self, **cookies: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),  # type: ignore[arg-type]
            base_url=self.base_url,
            cookies=cookies,
            headers={"origin": self.base_url, "accept-language": "sv"},
        )

    async def person(self, username: str, role: str = "user") -> Person:
        created = await create_user(
            self.runtime.store,
            self.base_url,
            NewUser(username, f"{username}@kommun-a.se", "lösenord-123", role),
        )
        session = Response()
        sessions.start_session(session, self.runtime.settings, created.user_id)
        cookie = session.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]
        seed = secrets.token_urlsafe(32)
        client = self.client(**{sessions.SESSION_COOKIE: cookie, sessions.CSRF_COOKIE: seed})
        token = sessions.csrf_token(self.runtime.settings, seed)
        return Person(username, created.user_id, created.account_id, client, token)


@pytest.fixture
async def site(database_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    settings = make_settings(database_url=database_url, media_dir=tmp_path / "media")
    app = create_app(settings, run_worker=False)
    async with app.router.lifespan_context(app):
        yield Site(app.state.runtime, app, settings.base_url)


def _secured(response: httpx.Response) -> bool:
    return (
        response.headers.get("content-security-policy") == CSP
        and response.headers.get("x-frame-options") == "DENY"
        and response.headers.get("x-content-type-options") == "nosniff"
    )


async def test_every_page__answers_with_the_csp_and_security_headers(site: Site) -> None:
    anna = await site.person("anna", "admin")
    posted = await anna.form("/statuses", status="Hej #alla", audience="local")
    status_id = posted.headers["location"].rsplit("#s-", 1)[1]
    paths = [
        "/",
        "/compose",
        f"/statuses/{status_id}",
        f"/@anna/{status_id}",
        "/@anna",
        "/notifications",
        "/search?q=an",
        "/tags/alla",
        "/settings",
        "/settings/apps",
        "/accessibility",
        "/accessibility/edit",
        "/offline",
        "/home/newer?since_id=1",
    ]
    for path in paths:
        response = await anna.client.get(path)
        assert response.status_code == 200, path
        assert _secured(response), path
    async with site.client() as visitor:
        for path in ("/sign_in", "/accessibility"):
            response = await visitor.get(path)
            assert response.status_code == 200 and _secured(response), path
        hidden = await visitor.get(f"/statuses/{status_id}")  # local only: staff alone see it
        assert hidden.status_code == 404 and _secured(hidden)
        home = await visitor.get("/")
        assert home.status_code == 303 and home.headers["location"] == "/sign_in?next=%2F"
        assert _secured(home)


async def test_sign_in__sets_a_signed_httponly_samesite_session_and_sign_out_ends_it(
    site: Site,
) -> None:
    await site.person("bertil")
    seed = secrets.token_urlsafe(32)
    async with site.client(**{sessions.CSRF_COOKIE: seed}) as browser:
        token = sessions.csrf_token(site.runtime.settings, seed)
        wrong = await browser.post(
            "/sign_in", data={"csrf_token": token, "login": "bertil", "password": "fel"}
        )
        assert wrong.status_code == 401 and "Fel e-post" in wrong.text
        right = await browser.post(
            "/sign_in",
            data={"csrf_token": token, "login": "bertil", "password": "lösenord-123", "next": "/"},
        )
        assert right.status_code == 303 and right.headers["location"] == "/"
        cookie = right.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
        assert (await browser.get("/")).status_code == 200
        stolen = browser.cookies[sessions.SESSION_COOKIE]
        out = await browser.post("/sign_out", data={"csrf_token": token})
        assert out.status_code == 303
        assert (await browser.get("/")).status_code == 303
        # A copy of the cookie taken before signing out signs in no more.
        async with site.client(**{sessions.SESSION_COOKIE: stolen}) as thief:
            assert (await thief.get("/")).status_code == 303
            assert (await thief.get("/ui/live")).status_code == 401
        again = await browser.post(
            "/sign_in",
            data={"csrf_token": token, "login": "bertil", "password": "lösenord-123", "next": "/"},
        )
        assert again.status_code == 303 and (await browser.get("/")).status_code == 200


async def test_forms_without_a_valid_token__are_refused_and_change_nothing(site: Site) -> None:
    anna = await site.person("anna")
    refused = await anna.client.post("/statuses", data={"status": "utan token"})
    assert refused.status_code == 403 and _secured(refused)
    assert "Formuläret har gått ut" in refused.text
    forged = await anna.client.post(
        "/statuses",
        data={"csrf_token": anna.csrf, "status": "från en annan webbplats"},
        headers={"origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    home = await anna.client.get("/")
    assert "utan token" not in home.text and "från en annan webbplats" not in home.text


async def test_composer__audience_in_plain_words_maps_to_local_only_and_visibility(
    site: Site,
) -> None:
    anna = await site.person("anna")
    for audience in ("local", "federated", "direct"):
        await anna.form("/statuses", status=f"@anna till {audience}", audience=audience)
    home = (await anna.client.get("/")).text
    assert "Bara min kommun" in home and "Även andra kommuner" in home
    assert "Bara de som nämns" in home
    empty = await anna.form("/statuses", status="  ", audience="local")
    assert empty.status_code == 422 and "Skriv något innan du publicerar." in empty.text
    poll = await anna.form(
        "/statuses", status="Fika?", poll_option_0="Ja", poll_option_1="Nej", audience="local"
    )
    assert poll.status_code == 303
    thread = poll.headers["location"].replace("/#s-", "/statuses/")
    assert 'action="/polls/' not in (await anna.client.get(thread)).text  # not on one's own
    bertil = await site.person("bertil")
    page = (await bertil.client.get(thread)).text
    poll_id = page.split('action="/polls/', 1)[1].split("/", 1)[0]
    voted = await bertil.form(f"/polls/{poll_id}/votes", choice="0", next=thread)
    assert voted.status_code == 303
    assert "din röst" in (await bertil.client.get(thread)).text


async def test_settings__profile_audience_language_and_export(site: Site) -> None:
    anna = await site.person("anna")
    await anna.form("/statuses", status="Mitt första inlägg", audience="local")
    saved = await anna.form(
        "/settings",
        display_name="Anna Andersson",
        note="Rektor på Björkskolan",
        field_name_0="Telefon",
        field_value_0="010-123 45 67",
        audience="federated",
        locale="en",
    )
    assert saved.status_code == 303
    shown = await anna.client.get("/settings")
    assert 'lang="en"' in shown.text and "Anna Andersson" in shown.text
    assert 'id="default-federated" name="audience" value="federated" checked' in shown.text
    profile = (await anna.client.get("/@anna")).text
    assert "010-123 45 67" in profile and "Rektor på Björkskolan" in profile
    exported = await anna.client.get("/settings/export")
    assert "attachment" in exported.headers["content-disposition"]
    data = orjson.loads(exported.content)
    assert data["profile"]["display_name"] == "Anna Andersson"
    assert [s["text"] for s in data["statuses"]] == ["Mitt första inlägg"]


async def test_connected_apps__listed_and_revoked(site: Site) -> None:
    anna = await site.person("anna")
    app, _secret = await oauth.create_application(
        site.runtime.store,
        name="Tusky",
        redirect_uris=[oauth.OOB],
        scopes=oauth.parse_scopes("read write"),
        website=None,
    )
    async with site.runtime.store.write() as conn:
        issued = await oauth._issue(  # the test skips the authorization round trip
            site.runtime.store, conn, app.id, anna.user_id, oauth.parse_scopes("read")
        )
    listed = await anna.client.get("/settings/apps")
    assert "Tusky" in listed.text
    assert await oauth.authenticate(site.runtime.store, issued.access_token) is not None
    revoked = await anna.form("/settings/apps/revoke", application_id=str(app.id))
    assert revoked.status_code == 303
    assert await oauth.authenticate(site.runtime.store, issued.access_token) is None
    assert "Tusky" not in (await anna.client.get("/settings/apps")).text


async def test_accessibility__the_admin_writes_the_statement_anyone_reports(site: Site) -> None:
    admin, bertil = await site.person("admin", "admin"), await site.person("bertil")
    assert (await bertil.client.get("/accessibility/edit")).status_code == 403
    refused = await bertil.form("/accessibility/edit", statement="Kapad")
    assert refused.status_code == 403
    await admin.form(
        "/accessibility/edit", statement="Kollegium ska vara tillgängligt.\n\nStycke två."
    )
    async with site.client() as visitor:
        page = await visitor.get("/accessibility")
        assert "<p>Kollegium ska vara tillgängligt.</p>" in page.text
        assert "<p>Stycke två.</p>" in page.text
        seed = secrets.token_urlsafe(32)
        visitor.cookies.set(sessions.CSRF_COOKIE, seed)
        token = sessions.csrf_token(site.runtime.settings, seed)
        sent = await visitor.post(
            "/accessibility/report",
            data={"csrf_token": token, "description": "Knappen saknar etikett", "page": "/"},
        )
        assert sent.status_code == 303 and "sent=1" in sent.headers["location"]
        empty = await visitor.post("/accessibility/report", data={"csrf_token": token})
        assert empty.status_code == 422 and "Beskriv problemet" in empty.text
    reports = await accessibility.open_reports(site.runtime.store)
    assert [r["description"] for r in reports] == ["Knappen saknar etikett"]
    assert "Knappen saknar etikett" in (await admin.client.get("/accessibility/edit")).text


async def test_every_page_links_the_accessibility_statement(site: Site) -> None:
    anna = await site.person("anna")
    for path in ("/", "/settings", "/search"):
        assert 'href="/accessibility"' in (await anna.client.get(path)).text


async def test_pwa__manifest_service_worker_and_offline_page(site: Site) -> None:
    async with site.client() as visitor:
        manifest = (await visitor.get("/manifest.webmanifest")).json()
        assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
        assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
        for icon in manifest["icons"]:
            assert (await visitor.get(icon["src"])).status_code == 200
        worker = await visitor.get("/sw.js")
        assert worker.headers["content-type"].startswith("text/javascript")
        assert "/offline" in worker.text
        assert (await visitor.get("/offline")).status_code == 200


async def test_follow_and_unfollow__from_the_profile(site: Site) -> None:
    anna, _bertil = await site.person("anna"), await site.person("bertil")
    followed = await anna.form("/@bertil/follow", next="/@bertil")
    assert followed.status_code == 303
    assert "Sluta följa" in (await anna.client.get("/@bertil")).text
    await anna.form("/@bertil/follow", undo="1", next="/@bertil")
    assert ">Följ<" in (await anna.client.get("/@bertil")).text


async def test_unread_notifications__counted_in_the_menu_until_read(site: Site) -> None:
    anna, bertil = await site.person("anna"), await site.person("bertil")
    assert "data-count>0<" in (await anna.client.get("/")).text
    await bertil.form("/statuses", status="@anna hej!", audience="local")
    menu = (await anna.client.get("/")).text
    assert '<span data-count>1</span><span class="visually-hidden"> olästa</span>' in menu
    page = (await anna.client.get("/notifications")).text
    assert "nämnde dig" in page and "data-count>0<" in page
    assert "data-count>0<" in (await anna.client.get("/")).text


async def test_settings__a_new_profile_picture(site: Site) -> None:
    import io

    from PIL import Image

    anna = await site.person("anna")
    picture = io.BytesIO()
    Image.new("RGB", (300, 200), "#3b7a57").save(picture, "PNG")
    saved = await anna.client.post(
        "/settings",
        data={"csrf_token": anna.csrf, "display_name": "Anna", "audience": "local"},
        files={"avatar": ("anna.png", picture.getvalue(), "image/png")},
    )
    assert saved.status_code == 303
    profile = (await anna.client.get("/@anna")).text
    avatar = profile.split('class="avatar" src="', 1)[1].split('"', 1)[0]
    assert "/media/" in avatar
    assert (await anna.client.get(avatar)).status_code == 200
    broken = await anna.client.post(
        "/settings",
        data={"csrf_token": anna.csrf, "display_name": "Anna", "audience": "local"},
        files={"avatar": ("x.png", b"not an image", "image/png")},
    )
    assert broken.status_code == 422 and "Filen är inte en bild" in broken.text


async def test_delete__asks_first_then_removes_only_ones_own_post(site: Site) -> None:
    anna, bertil = await site.person("anna"), await site.person("bertil")
    posted = await anna.form("/statuses", status="Fel information, tas bort", audience="local")
    status_id = posted.headers["location"].rsplit("#s-", 1)[1]
    home = (await anna.client.get("/")).text
    assert f'href="/statuses/{status_id}/delete"' in home
    assert (
        f'href="/statuses/{status_id}/delete"'
        not in (await bertil.client.get(f"/statuses/{status_id}")).text
    )
    assert (await bertil.client.get(f"/statuses/{status_id}/delete")).status_code == 404
    assert (await bertil.form(f"/statuses/{status_id}/delete")).status_code == 404
    asked = await anna.client.get(f"/statuses/{status_id}/delete")
    assert asked.status_code == 200 and "Ja, ta bort inlägget" in asked.text
    deleted = await anna.form(f"/statuses/{status_id}/delete")
    assert deleted.status_code == 303
    assert "Fel information" not in (await anna.client.get("/")).text
    assert (await anna.client.get(f"/statuses/{status_id}")).status_code == 404


async def test_web_sign_in__also_signs_in_to_the_consent_page_and_sign_out_ends_both(
    site: Site,
) -> None:
    anna = await site.person("anna")
    app, _secret = await oauth.create_application(
        site.runtime.store,
        name="Phanpy",
        redirect_uris=[oauth.OOB],
        scopes=oauth.parse_scopes("read"),
        website=None,
    )
    path = f"/oauth/authorize?response_type=code&client_id={app.client_id}&scope=read"
    consent = await anna.client.get(path)
    assert "Godkänn" in consent.text and "Phanpy" in consent.text
    cookie = anna.client.cookies[sessions.SESSION_COOKIE]
    await anna.form("/sign_out")
    async with site.client(**{sessions.SESSION_COOKIE: cookie}) as copy:
        again = await copy.get(path)
        assert "Godkänn" not in again.text and 'name="password"' in again.text


async def test_settings__notification_kinds_turned_off_are_not_written(site: Site) -> None:
    anna, bo = await site.person("anna"), await site.person("bo")
    shown = await anna.client.get("/settings")
    assert 'id="notify-favourite" name="notify_favourite" checked' in shown.text
    on = {f"notify_{kind}": "on" for kind in ("mention", "follow", "reblog")}
    saved = await anna.form("/settings", display_name="Anna", audience="local", locale="sv", **on)
    assert saved.status_code == 303
    shown = await anna.client.get("/settings")
    assert 'id="notify-favourite" name="notify_favourite">' in shown.text  # now unchecked
    assert 'id="notify-mention" name="notify_mention" checked' in shown.text
    off = await notifications.types_off(site.runtime.store, anna.account_id)
    assert "favourite" in off and "mention" not in off

    await bo.form("/statuses", status="@anna hej", audience="local")
    listed = await notifications.list_notifications(
        site.runtime.store, anna.account_id, PageQuery(limit=10)
    )
    assert [n["type"] for n in listed] == ["mention"]
    async with site.runtime.store.write() as conn:
        told = await notifications.notify(
            site.runtime.store,
            conn,
            account_id=anna.account_id,
            from_account_id=bo.account_id,
            type="favourite",
        )
    assert told is None  # turned off: nothing written
