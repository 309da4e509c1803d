"""Two municipalities in the browser: a colleague at the other instance is found by search,
followed from their profile, and their post to "other municipalities too" arrives live."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.processes import free_port, kollegium
from tests.ui.harness import Server, new_page, running_server, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pair(
    tmp_path_factory: pytest.TempPathFactory, server: Server
) -> Iterator[tuple[Server, Server]]:
    """Kommun A, started here, and the session's server as kommun B; each allows the other."""
    a_port = free_port()
    b_domain = server.base_url.removeprefix("http://")
    allowed = kollegium(
        "federation", "allow", f"127.0.0.1:{a_port}", env=server.env, cwd=server.cwd
    )
    assert allowed.returncode == 0, allowed.stderr
    server.add_user("bosse")
    with running_server(
        tmp_path_factory.mktemp("kommun-a"), (("annika", "user"),), port=a_port, allow=(b_domain,)
    ) as a:
        yield a, server


def test_a_post_from_another_municipality__arrives_live(
    browser: Any, pair: tuple[Server, Server]
) -> None:
    a, b = pair
    reader = new_page(browser)
    sign_in(reader, b, "bosse")
    reader.goto(b.url(f"/search?q=annika@{a.base_url.removeprefix('http://')}"))
    reader.get_by_role("link", name="annika").first.click()
    reader.get_by_role("button", name="Följ").click()
    # A request to another instance until its Accept arrives (the worker delivers both ways).
    for _ in range(40):
        if reader.get_by_role("button", name="Sluta följa").count():
            break
        reader.wait_for_timeout(500)
        reader.reload()
    expect(reader.get_by_role("button", name="Sluta följa")).to_be_visible()
    reader.goto(b.url("/"))
    reader.locator("body[data-live-state=open]").wait_for(state="attached")
    writer = new_page(browser)
    sign_in(writer, a, "annika")
    writer.fill("#status", "Hälsningar från kommun A!")
    writer.check("#audience-federated")
    writer.click("form.composer button[type=submit]")
    button = reader.locator(".new-posts button")
    button.wait_for(state="visible", timeout=10_000)
    expect(reader.locator("#announcer")).to_have_text("1 nytt inlägg")  # set a moment later
    button.click()
    article = reader.locator("article.status", has_text="Hälsningar från kommun A!")
    article.wait_for()
    assert "annika@127.0.0.1" in article.locator(".acct").inner_text()
    writer.context.close()
    reader.context.close()
