"""The web app's figures (issue 8): home page server time, what it ships, how soon it paints.

    .venv/bin/python bench/bench_ui.py                       # reference dataset (100,000)
    .venv/bin/python bench/bench_ui.py --dataset large       # 1,000,000 statuses
    .venv/bin/python bench/bench_ui.py --database-file F     # a dataset built before

1. Home page (``GET /``, the composer and 20 hydrated posts, signed in by the session
   cookie) timed one request after another over loopback, users taken in turn: p50 and p99.
   Target: p50 at most 15 ms on the 1,000,000-status dataset.
2. JavaScript and CSS shipped, gzip-compressed: at most 60 KB and 30 KB.
3. First contentful paint of the home page in headless Chromium on loopback (median of
   loads in one running browser, each with an empty HTTP cache): at most 300 ms.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import os
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import api_load  # type: ignore[import-not-found]  # noqa: E402

from fediverse.settings import load_settings  # noqa: E402
from web.mastodon import sessions  # noqa: E402

HOST, PORT = api_load.HOST, api_load.PORT
STATIC = ROOT / "web" / "static" / "ui"


def shipped_kb() -> tuple[float, float]:
    """Every script and stylesheet of the web app, gzip -9, in KB (the service worker too)."""

    def total(pattern: str) -> float:
        return sum(len(gzip.compress(p.read_bytes(), 9)) for p in STATIC.glob(pattern)) / 1024

    return total("*.js"), total("*.css")


@contextmanager
def dataset(kind: str, prebuilt: Path | None) -> Iterator[Path]:
    work = Path(tempfile.mkdtemp(prefix="kollegium-bench-ui-"))
    target = work / f"{kind}.db"
    try:
        if prebuilt is not None:
            shutil.copy(prebuilt, target)
        else:
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "dataset.py"), kind, f"sqlite:///{target}"],
                check=True,
            )
        yield target
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def server(db: Path, secret: str) -> Iterator[str]:
    with api_load.server(f"sqlite:///{db}", db.parent, secret) as base:
        yield base


def session_cookies(db: Path, secret: str, users: int) -> list[str]:
    """Signed session cookies for the first ``users`` users, as /sign_in would set them."""
    settings = load_settings(
        {"KOLLEGIUM_DOMAIN": f"{HOST}:{PORT}", "KOLLEGIUM_SECRET_KEY": secret}, env_file=None
    )
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM users ORDER BY id LIMIT ?", (users,))]
    cookies = []
    for user_id in ids:
        from starlette.responses import Response

        response = Response()
        sessions.start_session(response, settings, user_id)
        cookies.append(response.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1])
    return cookies


def home_times(base: str, cookies: list[str], requests: int) -> list[float]:
    times = []
    with httpx.Client(base_url=base) as client:
        for i in range(requests + len(cookies)):
            cookie = {sessions.SESSION_COOKIE: cookies[i % len(cookies)]}
            started = time.perf_counter()
            response = client.get("/", cookies=cookie)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or response.text.count("<article") != 20:
                raise RuntimeError(f"not a full home page: {response.status_code}")
            if i >= len(cookies):  # the first round warms caches
                times.append(elapsed)
    return times


PAINT = """() => new Promise(done => new PerformanceObserver((list, o) => {
    const e = list.getEntriesByName('first-contentful-paint')[0];
    if (e) { o.disconnect(); done(e.startTime); }
}).observe({type: 'paint', buffered: true}))"""


def first_paints(base: str, cookie: str, runs: int) -> tuple[list[float], list[float]]:
    """FCP of the home page, and of a one-line page for comparison (what this machine's
    Chromium needs to paint anything), each load with an empty HTTP cache."""
    from playwright.sync_api import sync_playwright

    from tests.ui.harness import CHROMIUM, CHROMIUM_ARGS

    home, floor = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": sessions.SESSION_COOKIE, "value": cookie, "url": base + "/"}])
        page = context.new_page()
        devtools = context.new_cdp_session(page)
        for url, into in ((base + "/", home), ("data:text/html,<p>Kollegium</p>", floor)):
            for _ in range(runs + 1):
                devtools.send("Network.clearBrowserCache")
                page.goto("about:blank")
                page.goto(url, wait_until="load")
                into.append(float(page.evaluate(PAINT)))
        browser.close()
    return home[1:], floor[1:]  # the first load of each warms the renderer


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", choices=["reference", "large"], default="reference")
    parser.add_argument("--database-file", type=Path, help="an SQLite file dataset.py built")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--paints", type=int, default=10)
    args = parser.parse_args()
    js, css = shipped_kb()
    secret = secrets.token_hex(32)
    with dataset(args.dataset, args.database_file) as db:
        with sqlite3.connect(db) as conn:
            size = conn.execute("SELECT count(*) FROM statuses").fetchone()[0]
        cookies = session_cookies(db, secret, 50)
        with server(db, secret) as base:
            times = home_times(base, cookies, args.requests)
            paints, floor = first_paints(base, cookies[0], args.paints)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"web app, {args.dataset} dataset ({size:,} statuses), SQLite, {os.cpu_count()} cores, "
        f"{stamp}:\n"
        f"  home page GET /: p50 {statistics.median(times):.1f} ms, "
        f"p99 {percentile(times, 0.99):.1f} ms over {len(times)} sequential requests "
        f"(target p50 <= 15 ms)\n"
        f"  shipped gzip: JavaScript {js:.1f} KB (<= 60), CSS {css:.1f} KB (<= 30)\n"
        f"  first contentful paint, home: median {statistics.median(paints):.0f} ms, "
        f"max {max(paints):.0f} ms over {len(paints)} loads, empty cache (target <= 300 ms); "
        f"a one-line page: median {statistics.median(floor):.0f} ms"
    )


if __name__ == "__main__":
    main()
