"""What staff do in the web app, in a real browser against a real server: sign in, post to
the municipality, reply, favourite, boost, upload an image with alt text, search, switch to
English; and what the browser is refused: a cross-site form, an inline script."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.ui.harness import Server, new_page, screenshot, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def anna(browser: Any, server: Server) -> Any:
    page = new_page(browser)
    sign_in(page, server, "anna")
    yield page
    page.context.close()


def _post(page: Any, text: str, audience: str = "local") -> Any:
    page.fill("#status", text)
    page.check(f"#audience-{audience}")
    page.click("form.composer button[type=submit]")
    article = page.locator("article.status", has_text=text).first
    article.wait_for()
    return article


def test_sign_in__lands_on_the_home_timeline_in_swedish(anna: Any) -> None:
    assert anna.locator("html").get_attribute("lang") == "sv"
    assert anna.locator("legend", has_text="Vem kan se inlägget?").is_visible()
    assert anna.locator("label[for=audience-local]").inner_text() == "Bara min kommun"
    assert anna.locator("label[for=audience-federated]").inner_text() == "Även andra kommuner"


def test_wrong_password__is_refused_with_a_message(browser: Any, server: Server) -> None:
    page = new_page(browser)
    page.goto(server.url("/sign_in"))
    page.fill("#login", "anna")
    page.fill("#password", "fel")
    page.click("form[action='/sign_in'] button[type=submit]")
    assert "Fel e-post, användarnamn eller lösenord." in page.locator("[role=alert]").inner_text()
    page.context.close()


def test_post_to_the_municipality__is_shown_as_local_only(anna: Any) -> None:
    article = _post(anna, "Fika i personalrummet kl 15!")
    assert article.locator(".audience").inner_text() == "Bara min kommun"


def test_reply_favourite_and_boost__as_plain_forms(anna: Any, server: Server) -> None:
    article = _post(anna, "Vem kommer på planeringsdagen?", "federated")
    assert article.locator(".audience").inner_text() == "Även andra kommuner"
    article.get_by_role("button", name=re.compile("^Gilla")).click()
    article = anna.locator("article.status", has_text="Vem kommer på planeringsdagen?").first
    liked = article.get_by_role("button", name=re.compile("^Gilla"))
    expect(liked).to_have_attribute("aria-pressed", "true")  # after the form's round trip
    article.get_by_role("button", name=re.compile("^Dela")).click()
    expect(article.get_by_role("button", name=re.compile("^Dela"))).to_have_attribute(
        "aria-pressed", "true"
    )
    article.get_by_role("link", name=re.compile("^Svara")).first.click()
    anna.wait_for_url(re.compile(r"/statuses/\d+"))
    anna.fill("#status", "Jag kommer!")
    anna.click("form.composer button[type=submit]")
    anna.locator("article.status", has_text="Jag kommer!").wait_for()
    expect(anna.locator("#replies-title")).to_be_visible()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#2a6f97").save(buffer, "PNG")
    return buffer.getvalue()


def test_image_upload__needs_alt_text_and_shows_it(anna: Any, server: Server) -> None:
    anna.goto(server.url("/"))
    anna.click("details.more-options summary")
    image = {"name": "sjo.png", "mimeType": "image/png", "buffer": _png()}
    anna.set_input_files("#media", files=[image])
    expect(anna.locator("#media-preview")).to_be_visible()  # app.js previews the image
    anna.fill("#status", "Utsikt från kontoret")
    anna.click("form.composer button[type=submit]")
    # Refused without alt text: the error summary links to the field, which says why.
    summary = anna.locator(".error-summary")
    assert "Beskriv bilden" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert anna.locator("#media_description").get_attribute("aria-invalid") == "true"
    anna.set_input_files("#media", files=[image])
    anna.fill("#media_description", "En blå sjö i morgonljus")
    anna.click("form.composer button[type=submit]")
    shown = anna.locator("article.status", has_text="Utsikt från kontoret").first
    shown.locator(".media img").wait_for()
    assert shown.locator(".media img").get_attribute("alt") == "En blå sjö i morgonljus"


def test_image_without_alt_text__is_refused_by_the_server_too(browser: Any, server: Server) -> None:
    page = new_page(browser)
    page.context.route("**/static/ui/app.js", lambda route: route.abort())  # no JavaScript
    sign_in(page, server, "bertil")
    page.click("details.more-options summary")
    page.set_input_files(
        "#media", files=[{"name": "a.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.fill("#status", "Bild utan beskrivning")
    page.click("form.composer button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator("#media_description").get_attribute("aria-invalid") == "true"
    page.context.close()


def test_search__finds_a_colleague_and_opens_the_profile(anna: Any, server: Server) -> None:
    anna.goto(server.url("/search"))
    anna.fill("#q", "bert")
    anna.press("#q", "Enter")
    anna.get_by_role("link", name=re.compile("bertil")).first.click()
    anna.wait_for_url(re.compile(r"/@bertil$"))
    assert anna.locator("h1").inner_text() == "bertil"


def test_switch_to_english__in_settings(browser: Any, server: Server) -> None:
    page = new_page(browser)
    sign_in(page, server, "bertil")
    page.goto(server.url("/settings"))
    page.check("#locale-en")
    page.click("form.settings button[type=submit]")
    page.wait_for_url(re.compile(r"/settings\?saved=1"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Settings"
    page.goto(server.url("/"))
    assert page.locator("label[for=audience-local]").inner_text() == "Only my municipality"
    page.context.close()


def test_accept_language__english_for_a_visitor(browser: Any, server: Server) -> None:
    page = new_page(browser, locale="en-GB")
    page.goto(server.url("/sign_in"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Sign in"
    page.context.close()


def test_cross_site_form_post__is_refused(anna: Any, server: Server) -> None:
    cookies = {c["name"]: c["value"] for c in anna.context.cookies()}
    forged = httpx.post(
        server.url("/statuses"),
        data={"status": "forged", "csrf_token": "0" * 64, "audience": "local"},
        cookies=cookies,
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    # A stolen token is refused too when the browser says the form came from elsewhere.
    anna.goto(server.url("/"))
    token = anna.locator("form.composer input[name=csrf_token]").get_attribute("value")
    forged = httpx.post(
        server.url("/statuses"),
        data={"status": "forged", "csrf_token": token, "audience": "local"},
        cookies=cookies,
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    anna.goto(server.url("/"))
    assert anna.locator("article.status", has_text="forged").count() == 0


def test_csp__no_inline_script_runs_and_nothing_was_refused(anna: Any, server: Server) -> None:
    anna.goto(server.url("/"))
    assert anna.csp.refused == []
    ran = anna.evaluate(
        """() => new Promise(done => {
            document.addEventListener('securitypolicyviolation', () => done('refused'));
            const s = document.createElement('script');
            s.textContent = 'window.__inline = 1';
            document.body.appendChild(s);
            setTimeout(() => done(window.__inline ? 'ran' : 'refused'), 200);
        })"""
    )
    assert ran == "refused"


def test_screenshots__of_the_home_timeline(anna: Any, server: Server) -> None:
    anna.goto(server.url("/"))
    screenshot(anna, "home-desktop")
