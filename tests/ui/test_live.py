"""Live updates: a colleague's new post is announced politely and loaded on request, and
older posts load as the reader scrolls; screenshots of the main pages for the README."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.ui.harness import DESKTOP, PHONE, Server, new_page, screenshot, sign_in

pytestmark = pytest.mark.slow


def test_live__a_followed_colleagues_post_is_announced_and_loaded(
    browser: Any, server: Server
) -> None:
    reader = new_page(browser)
    sign_in(reader, server, "david")
    reader.goto(server.url("/@bertil"))
    reader.get_by_role("button", name="Följ").click()
    expect(reader.get_by_role("button", name="Sluta följa")).to_be_visible()
    reader.goto(server.url("/"))
    reader.locator("body[data-live-state=open]").wait_for(state="attached")
    writer = new_page(browser)
    sign_in(writer, server, "bertil")
    writer.fill("#status", "Nu är det lunch!")
    writer.click("form.composer button[type=submit]")
    button = reader.locator(".new-posts button")
    button.wait_for(state="visible", timeout=30_000)
    assert button.inner_text() == "1 nytt inlägg"
    expect(reader.locator("#announcer")).to_have_text("1 nytt inlägg")  # set a moment later
    button.click()
    article = reader.locator("article.status", has_text="Nu är det lunch!")
    article.wait_for()
    assert reader.evaluate("() => document.activeElement.tagName") == "ARTICLE"
    assert reader.locator(".new-posts").is_hidden()
    writer.fill("#status", "@david kommer du?")
    writer.click("form.composer button[type=submit]")
    badge = reader.locator("[data-notifications] .badge")
    badge.wait_for(state="visible", timeout=30_000)
    assert badge.text_content() == "1 olästa"
    writer.context.close()
    reader.context.close()


def test_infinite_scroll__older_posts_load_at_the_bottom(browser: Any, server: Server) -> None:
    name = server.add_user("evert")
    page = new_page(browser)
    sign_in(page, server, name)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    token = page.locator("form.composer input[name=csrf_token]").get_attribute("value")
    with httpx.Client(cookies=cookies, headers={"Origin": server.base_url}) as client:
        for i in range(22):
            form = {"csrf_token": token, "status": f"Anteckning nummer {i}", "audience": "local"}
            assert client.post(server.url("/statuses"), data=form).status_code == 303
    page.goto(server.url("/"))
    assert page.locator("article.status").count() == 20
    page.locator("a.older").scroll_into_view_if_needed()
    page.locator("article.status", has_text="Anteckning nummer 0").wait_for()
    assert page.locator("article.status").count() == 22
    assert page.locator("a.older").count() == 0
    page.context.close()


MAIN_PAGES = [
    ("home", "/"),
    ("thread", None),
    ("profile", "/@anna"),
    ("notifications", "/notifications"),
    ("search", "/search?q=a"),
    ("settings", "/settings"),
    ("accessibility", "/accessibility"),
]


def test_screenshots__main_pages_on_desktop_and_phone(browser: Any, server: Server) -> None:
    for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = new_page(browser, viewport=viewport)
        page.goto(server.url("/sign_in"))
        screenshot(page, f"sign-in-{device}")
        sign_in(page, server, "anna")
        if device == "desktop":
            page.fill("#status", "Välkomna till Kollegium, vårt nya intranät! Fråga gärna här.")
            page.click("form.composer button[type=submit]")
            page.wait_for_url(re.compile(r"#s-\d+$"))
        thread = page.locator("article.status a[href^='/statuses/']").first.get_attribute("href")
        for name, path in MAIN_PAGES:
            page.goto(server.url(path or str(thread)))
            screenshot(page, f"{name}-{device}")
        page.context.close()


def test_pwa__the_service_worker_shows_the_offline_page_without_a_network(
    browser: Any, server: Server
) -> None:
    context = browser.new_context(locale="sv-SE", service_workers="allow")
    page = context.new_page()
    page.goto(server.url("/sign_in"))
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the worker
    context.set_offline(True)
    page.goto(server.url("/notifications"))
    assert page.locator("h1").inner_text() == "Du är offline"
    context.set_offline(False)
    context.close()
