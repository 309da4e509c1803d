"""axe-core on every page of the web app, in Swedish and English, on a desktop and at 320 px:
no violation of WCAG 2.1 A or AA. And a keyboard-only walk: sign in, write, post."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image

from tests.ui.harness import DESKTOP, PASSWORD, PHONE, Server, check_axe, new_page, sign_in

pytestmark = pytest.mark.slow


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "#8a5a00").save(buffer, "PNG")
    return buffer.getvalue()


def _post(page: Any, text: str, **extra: Any) -> str:
    if extra:
        page.click("details.more-options summary")
    if "cw" in extra:
        page.fill("#spoiler_text", extra["cw"])
    if "image" in extra:
        page.set_input_files("#media", files=[extra["image"]])
        page.fill("#media_description", "Ett brunt fält")
    for i, option in enumerate(extra.get("poll", ())):
        page.fill(f"#poll_option_{i}", option)
    page.fill("#status", text)
    page.click("form.composer button[type=submit]")
    article = page.locator("article.status", has_text=text).first
    article.wait_for()
    return str(article.get_attribute("data-id"))


@pytest.fixture(scope="module")
def seeded(browser: Any, server: Server) -> dict[str, Any]:
    """cecilia posts (with a poll, an image, a content warning); anna replies and favourites."""
    cecilia = new_page(browser)
    sign_in(cecilia, server, "cecilia")
    first = _post(
        cecilia, "Välkomna till #arbetsplatsträff på torsdag", poll=("Förmiddag", "Eftermiddag")
    )
    _post(
        cecilia,
        "Bild från gården",
        image={"name": "g.png", "mimeType": "image/png", "buffer": _png()},
    )
    _post(cecilia, "Om schemat nästa vecka", cw="Schemaändring")
    anna = new_page(browser)
    sign_in(anna, server, "anna")
    anna.goto(server.url(f"/statuses/{first}"))
    anna.fill("#status", "@cecilia Jag kommer på förmiddagen.")
    anna.click("form.composer button[type=submit]")
    anna.locator("article.status", has_text="Jag kommer på förmiddagen").wait_for()
    anna.locator(f"#s-{first}").get_by_role("button", name=re.compile("^Gilla")).click()
    return {"cecilia": cecilia, "anna": anna, "status": first}


SIGNED_IN_PAGES = [
    "/",
    "/compose",
    "/statuses/{status}",
    "/statuses/{status}/delete",
    "/@cecilia",
    "/@anna",
    "/notifications",
    "/search?q=an",
    "/tags/arbetsplatsträff",
    "/settings",
    "/settings/apps",
    "/accessibility",
    "/offline",
]
SIGNED_OUT_PAGES = ["/sign_in", "/accessibility", "/statuses/{status}"]


def _with_lang(path: str, lang: str) -> str:
    return path + ("&" if "?" in path else "?") + f"lang={lang}"


def _axe_everywhere(page: Any, server: Server, path: str) -> list[str]:
    problems = []
    for lang in ("sv", "en"):
        page.goto(server.url(_with_lang(path, lang)))
        assert page.locator("html").get_attribute("lang") == lang
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            for v in check_axe(page):
                problems.append(f"{path} {lang} {size['width']}px: {v}")
            # At 320 px nothing may need sideways scrolling (WCAG 1.4.10, reflow).
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            if wide > size["width"]:
                problems.append(f"{path} {lang} {size['width']}px: {wide} px wide")
    return problems


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_axe__no_violations_signed_in(seeded: dict[str, Any], server: Server, path: str) -> None:
    page = seeded["cecilia"]
    assert _axe_everywhere(page, server, path.format(**seeded)) == []
    assert page.csp.refused == []


@pytest.mark.parametrize("path", SIGNED_OUT_PAGES)
def test_axe__no_violations_signed_out(
    browser: Any, seeded: dict[str, Any], server: Server, path: str
) -> None:
    page = new_page(browser)
    assert _axe_everywhere(page, server, path.format(**seeded)) == []
    page.context.close()


def test_axe__admin_pages_and_the_error_page(seeded: dict[str, Any], server: Server) -> None:
    page = seeded["anna"]
    problems = _axe_everywhere(page, server, "/accessibility/edit")
    problems += _axe_everywhere(page, server, "/statuses/123")  # not found: the error page
    assert problems == []


def test_keyboard_only__sign_in_compose_and_post(browser: Any, server: Server) -> None:
    """Tab and type only, as someone who uses no mouse; focus is always visible."""
    page = new_page(browser)
    page.goto(server.url("/sign_in"))
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    page.keyboard.press("Enter")  # skip link: to the main content
    _tab_to(page, "#login")
    page.keyboard.type("david")
    _tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    _tab_to(page, "#status")
    page.keyboard.type("Skrivet med tangentbordet")
    _tab_to(page, "#audience-local")
    page.keyboard.press("ArrowDown")  # radio group: the arrow moves the choice
    assert page.is_checked("#audience-federated")
    _tab_to(page, "form.composer button[type=submit]")
    page.keyboard.press("Enter")
    article = page.locator("article.status", has_text="Skrivet med tangentbordet").first
    article.wait_for()
    assert article.locator(".audience").inner_text() == "Även andra kommuner"
    page.context.close()


def _tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until ``selector`` has the focus, checking that focus shows each time."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"no visible focus on {selector}"
            return
    raise AssertionError(f"{selector} not reached by Tab")


def test_axe__the_oauth_sign_in_and_consent_pages_that_apps_open(
    browser: Any, server: Server
) -> None:
    import httpx

    app = httpx.post(
        server.url("/api/v1/apps"),
        data={
            "client_name": "Tusky",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read",
        },
    ).json()
    path = (
        f"/oauth/authorize?response_type=code&client_id={app['client_id']}"
        "&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read"
    )
    page = new_page(browser)
    problems = []
    for lang in ("sv", "en"):
        page.goto(server.url(f"{path}&lang={lang}"))
        problems += [f"sign in {lang}: {v}" for v in check_axe(page)]
    page.fill("input[name=login]", "david")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_role("button", name="Godkänn").wait_for()
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        problems += [f"consent {size['width']}px: {v}" for v in check_axe(page)]
    assert problems == []
    assert page.csp.refused == []
    page.context.close()


def test_reduced_motion__no_smooth_scrolling_or_transitions(browser: Any, server: Server) -> None:
    page = new_page(browser)
    page.goto(server.url("/sign_in"))
    assert (
        page.evaluate("() => getComputedStyle(document.documentElement).scrollBehavior") == "smooth"
    )
    page.emulate_media(reduced_motion="reduce")
    assert (
        page.evaluate("() => getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    )
    page.context.close()
