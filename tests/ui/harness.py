"""The browser-test harness: one real Kollegium server per module, Debian's Chromium driven
by Playwright, axe-core injected into every page, screenshots for the README.

Chromium is /usr/bin/chromium (tests/ui/setup.sh installs it; ``playwright install`` is
never run), axe-core comes from tests/ui/node_modules (npm ci in setup.sh).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import free_port, instance_env, kollegium, kollegium_all, serving

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
# The README's screenshots are written only when asked for (KOLLEGIUM_UPDATE_SCREENSHOTS=1):
# otherwise every run would leave the checkout changed. Elsewhere they go to a temporary
# directory, still taken (and checked to be images) on every run.
SCREENSHOTS = (
    HERE.parent.parent / "docs" / "screenshots"
    if os.environ.get("KOLLEGIUM_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "kollegium-screenshots"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "lösenord-för-test-1"
# One server for the whole session (starting one costs seconds on a busy machine): each test
# module signs in as its own people, so that one's settings do not change another's pages.
USERS = (("anna", "admin"), ("bertil", "user"), ("cecilia", "user"), ("david", "user"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}


def require_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: run tests/ui/setup.sh")
    if not AXE.exists():
        pytest.skip("no axe-core in tests/ui/node_modules: run tests/ui/setup.sh")


@dataclass
class Server:
    """A running instance and the people on it (login = username, password PASSWORD)."""

    base_url: str
    env: dict[str, str]
    cwd: Path
    users: tuple[str, ...] = field(default_factory=tuple)

    def url(self, path: str) -> str:
        return self.base_url + path

    def add_user(self, name: str, role: str = "user") -> str:
        """Another person on the running instance; their login name."""
        done = kollegium(*_user_args(name, role), env=self.env, cwd=self.cwd)
        assert done.returncode == 0, done.stderr
        return name


@contextmanager
def running_server(
    cwd: Path,
    users: tuple[tuple[str, str], ...] = USERS,
    *,
    port: int | None = None,
    allow: tuple[str, ...] = (),
) -> Iterator[Server]:
    """``kollegium init``, the users (name, role), the domains ``allow``ed to federate, then
    ``kollegium serve`` on loopback (on ``port``, else a free one)."""
    port = port or free_port()
    env = instance_env(
        f"sqlite:///{cwd / 'kollegium.db'}",
        f"127.0.0.1:{port}",
        KOLLEGIUM_MEDIA_DIR=str(cwd / "media"),
    )
    commands = [("init",), *(_user_args(n, r) for n, r in users)]
    commands += [("federation", "allow", domain) for domain in allow]
    done = kollegium_all(commands, env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr
    with serving(env, cwd, port=port) as base_url:
        yield Server(base_url, env, cwd, tuple(name for name, _ in users))


def _user_args(name: str, role: str) -> tuple[str, ...]:
    return (
        "user",
        "create",
        name,
        "--email",
        f"{name}@kommun-a.se",
        "--password",
        PASSWORD,
        "--role",
        role,
    )


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium under Playwright, for a whole test session."""
    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        stack.callback(browser.close)
        yield browser


class CspWatch:
    """Collects what the browser refused under the Content-Security-Policy."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def __call__(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.refused.append(message.text)


def new_page(browser: Any, *, locale: str = "sv-SE", viewport: dict[str, int] | None = None) -> Any:
    """A fresh context (cookies of its own) and page, with CSP refusals recorded."""
    context = browser.new_context(
        locale=locale,
        viewport=viewport or DESKTOP,
        extra_http_headers={"Accept-Language": locale},
        service_workers="block",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp = CspWatch()
    page.on("console", page.csp)
    return page


def sign_in(page: Any, server: Server, login: str) -> None:
    page.goto(server.url("/sign_in"))
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("form[action='/sign_in'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/(#.*)?$"))


_axe_source: str | None = None


def check_axe(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page at WCAG 2.1 A and AA; the violations (none, we hope)."""
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE.read_text()
    # evaluate() runs through the DevTools protocol, which the page's CSP does not govern
    # (an injected <script> would be refused, as it should be).
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(_axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.read_bytes().startswith(b"\x89PNG"), path
    return path
