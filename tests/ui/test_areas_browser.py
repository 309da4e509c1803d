"""Groups, the staff directory and the admin pages in a real browser against a real server:
create a group and post to it, ask to join a closed group and be approved (two people),
filter the directory by department, an admin allowing a domain, 403 for others; axe-core
on each of these pages in Swedish and English at desktop and 320 px; screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.ui.harness import (
    DESKTOP,
    PASSWORD,
    PHONE,
    Server,
    check_axe,
    new_page,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, str]:
    """This module's own people on the shared server: an admin and a member of staff."""
    return {
        "admin": server.add_user("agnes", "admin"),
        "bo": server.add_user("bo", "user"),
    }


@pytest.fixture(scope="module")
def agnes(browser: Any, server: Server, people: dict[str, str]) -> Iterator[Any]:
    """The admin, who creates the group and runs the instance."""
    page = new_page(browser)
    sign_in(page, server, people["admin"])
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def bo(browser: Any, server: Server, people: dict[str, str]) -> Iterator[Any]:
    page = new_page(browser)
    sign_in(page, server, people["bo"])
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def made() -> dict[str, str]:
    """What the tests below build (the group's and a department's ids), for the later ones."""
    return {}


def _create_group(page: Any, server: Server, name: str, short: str, privacy: str) -> str:
    page.goto(server.url("/groups/new"))
    page.fill("#display_name", name)
    page.fill("#username", short)
    page.fill("#note", f"{name}: planering och erfarenheter.")
    page.check(f"#privacy-{privacy}")
    page.click("form.group-form button[type=submit]")
    page.wait_for_url(re.compile(r"/groups/\d+"))
    assert page.locator("p.notice").inner_text() == "Gruppen är skapad. Du är dess administratör."
    return str(re.search(r"/groups/(\d+)", page.url).group(1))  # type: ignore[union-attr]


def test_group__create_and_post_from_the_group_and_from_home(
    agnes: Any, server: Server, made: dict[str, str]
) -> None:
    group = _create_group(agnes, server, "Förskolans pedagoger", "forskolan", "closed")
    made["group"] = group
    agnes.fill("#status", "Välkomna till gruppen!")
    agnes.click("form.composer button[type=submit]")
    agnes.locator("article.status", has_text="Välkomna till gruppen!").wait_for()
    agnes.goto(server.url("/"))
    agnes.fill("#status", "Material till temadagen finns i pärmen.")
    agnes.get_by_label("Gruppen Förskolans pedagoger").check()
    agnes.click("form.composer button[type=submit]")
    agnes.goto(server.url(f"/groups/{group}"))
    posts = agnes.locator("article.status")
    assert posts.filter(has_text="Material till temadagen").count() == 1
    assert posts.filter(has_text="Välkomna till gruppen!").count() == 1
    screenshot(agnes, "group-desktop")
    agnes.set_viewport_size(PHONE)
    screenshot(agnes, "group-phone")
    agnes.set_viewport_size(DESKTOP)


def test_group__ask_to_join_a_closed_group_and_be_approved(
    agnes: Any, bo: Any, server: Server, made: dict[str, str]
) -> None:
    group = made["group"]
    bo.goto(server.url("/groups"))
    card = bo.locator("li.group-card", has_text="Förskolans pedagoger")
    assert "Stängd" in card.inner_text()
    card.get_by_role("button", name=re.compile("^Ansök om medlemskap")).click()
    assert bo.locator("p.notice").inner_text() == ("Din ansökan är skickad. En moderator beslutar.")
    assert bo.locator("text=Bara medlemmar läser gruppens inlägg.").is_visible()
    agnes.goto(server.url(f"/groups/{group}/members"))
    request = agnes.locator("section", has_text="Ansökningar om medlemskap").locator("li")
    assert "@bo" in request.inner_text()
    request.get_by_role("button", name=re.compile("^Godkänn")).click()
    assert agnes.locator("p.notice").inner_text() == "Ansökan är godkänd."
    bo.goto(server.url(f"/groups/{group}"))
    assert bo.locator("article.status", has_text="Välkomna till gruppen!").is_visible()
    bo.fill("#status", "Tack för att jag fick vara med!")
    bo.click("form.composer button[type=submit]")
    bo.locator("article.status", has_text="Tack för att jag fick vara med!").wait_for()


def _token(server: Server, username: str) -> str:
    app = httpx.post(
        server.url("/api/v1/apps"),
        data={
            "client_name": "ui-test",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read write",
        },
    )
    creds = app.json()
    token = httpx.post(
        server.url("/oauth/token"),
        data={
            "grant_type": "password",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "username": username,
            "password": PASSWORD,
            "scope": "read write",
        },
    )
    return str(token.json()["access_token"])


def _profile(server: Server, username: str, **fields: str) -> None:
    response = httpx.patch(
        server.url("/api/v1/accounts/update_credentials"),
        data={f"kollegium[{k}]": v for k, v in fields.items()},
        headers={"Authorization": f"Bearer {_token(server, username)}"},
    )
    assert response.status_code == 200, response.text


def _department(page: Any, name: str, parent: str | None = None) -> str:
    form = page.locator("form[action='/admin/departments']")
    form.locator("#new-name").fill(name)
    if parent:
        form.locator("#new-parent").select_option(label=parent)
    form.get_by_role("button", name="Skapa").click()
    assert page.locator("p.notice").inner_text() == "Förvaltningen eller enheten är skapad."
    option = page.locator("#new-parent option", has_text=name).first
    return str(option.get_attribute("value"))


def test_directory__filter_by_department_with_its_units(
    agnes: Any, server: Server, made: dict[str, str]
) -> None:
    agnes.goto(server.url("/admin/departments"))
    school = _department(agnes, "Utbildningsförvaltningen")
    unit = _department(agnes, "Förskolan Solen", "Utbildningsförvaltningen")
    social = _department(agnes, "Socialförvaltningen")
    made["department"] = school
    _profile(
        server,
        "bo",
        title="Förskollärare",
        department_id=unit,
        phone="070-123 45 67",
        workplace="Solens förskola, Storgatan 1",
    )
    _profile(server, "agnes", title="Socialsekreterare", department_id=social)
    agnes.goto(server.url("/directory"))
    agnes.get_by_role("navigation", name="Förvaltningar och enheter").get_by_role(
        "link", name="Utbildningsförvaltningen"
    ).click()
    cards = agnes.locator("li.card")
    assert cards.count() == 1
    assert "Förskollärare" in cards.inner_text() and "Förskolan Solen" in cards.inner_text()
    agnes.select_option("#department", label="Socialförvaltningen")
    agnes.click("form.directory-search button[type=submit]")
    assert agnes.locator("li.card").count() == 1
    assert "Socialsekreterare" in agnes.locator("li.card").inner_text()
    agnes.goto(server.url(f"/directory?department={school}"))
    screenshot(agnes, "directory-desktop")
    agnes.set_viewport_size(PHONE)
    screenshot(agnes, "directory-phone")
    agnes.set_viewport_size(DESKTOP)


def test_admin__allows_a_domain_and_the_audit_log_shows_it(agnes: Any, server: Server) -> None:
    agnes.goto(server.url("/admin/federation"))
    agnes.fill("#domain", "kommun-b.se")
    agnes.check("#policy-allow")
    agnes.click("form[action='/admin/federation/domains'] button[type=submit]")
    assert "Beslutet om domänen är sparat" in agnes.locator("p.notice").inner_text()
    assert "kommun-b.se · Tillåt" in agnes.locator("li.domain-row").inner_text()
    screenshot(agnes, "admin-federation-desktop")
    agnes.set_viewport_size(PHONE)
    screenshot(agnes, "admin-federation-phone")
    agnes.set_viewport_size(DESKTOP)
    agnes.goto(server.url("/admin/audit?action=domain.allow"))
    assert "kommun-b.se" in agnes.locator("ol.audit").inner_text()


def test_admin__pages_are_403_for_staff_without_the_role(bo: Any, server: Server) -> None:
    for path in ("/admin/users", "/admin/federation", "/admin/reports", "/admin/audit"):
        response = bo.goto(server.url(path))
        assert response.status == 403, path
        assert bo.locator("p.error").inner_text().startswith("Bara ")


def test_announcement__read_at_home_and_counted_for_the_admin(
    agnes: Any, bo: Any, server: Server
) -> None:
    agnes.goto(server.url("/admin/announcements"))
    agnes.fill("#text", "Nya rutiner för sjukanmälan från 1 december.")
    agnes.click("form[action='/admin/announcements'] button[type=submit]")
    assert agnes.locator("p.notice").inner_text() == "Meddelandet är publicerat."
    bo.goto(server.url("/"))
    banner = bo.locator("section.announcements")
    assert "Nya rutiner för sjukanmälan" in banner.inner_text()
    banner.get_by_role("button", name="Jag har läst det").click()
    assert bo.locator("section.announcements").count() == 0
    agnes.goto(server.url("/admin/announcements"))
    shown = agnes.locator("li.card", has_text="Nya rutiner för sjukanmälan")
    assert "Läst av 1" in shown.inner_text()
    shown.locator("summary").click()
    assert shown.get_by_role("link", name="bo").is_visible()


def _delete_announcements(page: Any, server: Server) -> None:
    """Announcements reach every member: leave none behind for the other modules' tests."""
    page.goto(server.url("/admin/announcements"))
    while page.locator("button[value=delete]").count():
        page.locator("button[value=delete]").first.click()


def _with_lang(path: str, lang: str) -> str:
    return path + ("&" if "?" in path else "?") + f"lang={lang}"


def _axe_everywhere(page: Any, server: Server, path: str) -> list[str]:
    problems = []
    for lang in ("sv", "en"):
        page.goto(server.url(_with_lang(path, lang)))
        assert page.locator("html").get_attribute("lang") == lang
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            problems += [f"{path} {lang} {size['width']}px: {v}" for v in check_axe(page)]
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            if wide > size["width"]:  # reflow at 320 px (WCAG 1.4.10)
                problems.append(f"{path} {lang} {size['width']}px: {wide} px wide")
    page.set_viewport_size(DESKTOP)
    return problems


def test_axe__no_violations_on_groups_directory_and_admin_pages(
    agnes: Any, bo: Any, server: Server, made: dict[str, str]
) -> None:
    group = made.get("group")
    assert group, "runs after the tests that make the group"
    pages = [
        "/groups",
        "/groups/new",
        f"/groups/{group}",
        f"/groups/{group}/members",
        f"/groups/{group}/edit",
        f"/directory?department={made.get('department', '')}",
        "/directory/me",
        "/admin/users",
        "/admin/departments",
        "/admin/federation",
        "/admin/reports",
        "/admin/announcements",
        "/",  # the home page with an announcement not yet read
        "/admin/audit",
        "/admin/instance",
    ]
    try:
        problems = [p for path in pages for p in _axe_everywhere(agnes, server, path)]
        problems += _axe_everywhere(bo, server, "/admin/users")  # the 403 page
    finally:
        _delete_announcements(agnes, server)
    assert problems == []
    assert agnes.csp.refused == [] and bo.csp.refused == []
