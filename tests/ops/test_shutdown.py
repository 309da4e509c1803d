"""SIGTERM to a web process and to a worker in the middle of posting and delivering: every
status is stored, every delivery arrives, none twice, and both processes exit cleanly."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import pytest

from fediverse.ids import now_ms
from tests.ops.receiver import Receiver, receiving
from tests.ops.support import PASSWORD, sign_in
from tests.support.databases import postgres_database_sync
from tests.support.processes import KOLLEGIUM, free_port, instance_env, kollegium, wait_healthy

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
POSTS_BEFORE, POSTS_DURING, POSTS_AFTER = 12, 16, 8
TOTAL = POSTS_BEFORE + 1 + POSTS_DURING + POSTS_AFTER


def spawn(args: list[str], env: dict[str, str], cwd: Path, name: str) -> subprocess.Popen[bytes]:
    with (cwd / f"{name}.log").open("wb") as log:
        return subprocess.Popen([KOLLEGIUM, *args], env=env, cwd=cwd, stdout=log, stderr=log)


def terminate(process: subprocess.Popen[bytes], within: float) -> tuple[int, float]:
    """SIGTERM; the exit status and the seconds it took (killed after ``within``)."""
    started = time.monotonic()
    process.terminate()
    try:
        process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return process.returncode, time.monotonic() - started


async def add_remote_follower(database_url: str, origin: str) -> None:
    """A follower of anna on the receiving peer, as federation would have stored it."""
    domain = origin.removeprefix("http://")
    conn = await asyncpg.connect(database_url)
    try:
        anna = await conn.fetchval("SELECT id FROM accounts WHERE username = 'anna'")
        now = now_ms()
        await conn.execute(
            "INSERT INTO accounts (id, username, domain, uri, inbox_url, shared_inbox_url,"
            " created_at, updated_at) VALUES (1, 'peer', $1, $2, $3, $4, $5, $5)",
            domain, f"{origin}/users/peer", f"{origin}/users/peer/inbox", f"{origin}/inbox", now,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO follows (id, account_id, target_account_id, uri, created_at)"
            " VALUES (2, 1, $1, $2, $3)",
            anna, f"{origin}/follows/1", now,
        )  # fmt: skip
    finally:
        await conn.close()


async def stored_statuses(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM statuses WHERE NOT local_only"))
    finally:
        await conn.close()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    with postgres_database_sync() as url:
        yield url


def post(base_url: str, headers: dict[str, str], n: int) -> str:
    response = httpx.post(f"{base_url}/api/v1/statuses", headers=headers, timeout=30,
                          json={"status": f"Nummer {n}", "local_only": False})  # fmt: skip
    assert response.status_code == 200, response.text
    return str(response.json()["uri"])


def slow_post(base_url: str, headers: dict[str, str], sent: threading.Event,
              go_on: threading.Event) -> httpx.Response:  # fmt: skip
    """A post whose body arrives in two parts: in flight from the first part until go_on."""

    def body() -> Iterator[bytes]:
        yield b'{"status": "Halvv\xc3\xa4gs", '
        sent.set()
        go_on.wait(10)
        yield b'"local_only": false}'

    return httpx.post(f"{base_url}/api/v1/statuses", timeout=30, content=body(),
                      headers=headers | {"content-type": "application/json"})  # fmt: skip


def test_sigterm__web_and_worker_finish_what_they_hold_and_lose_nothing(
    database: str, tmp_path: Path
) -> None:
    ports = [free_port() for _ in range(2)]
    while ports[0] == ports[1]:
        ports[1] = free_port()
    env = instance_env(database, f"127.0.0.1:{ports[0]}", KOLLEGIUM_FEDERATION_MODE="blocklist",
                       KOLLEGIUM_MEDIA_DIR=str(tmp_path / "media"))  # fmt: skip
    for args in (["init"], ["user", "create", "anna", "--email", "anna@kommun-a.se",
                            "--password", PASSWORD]):  # fmt: skip
        assert kollegium(*args, env=env, cwd=tmp_path).returncode == 0
    with receiving(delay=0.2) as (receiver, origin):
        asyncio.run(add_remote_follower(database, origin))
        webs = [spawn(["serve", "--host", "127.0.0.1", "--port", str(p), "--no-worker"], env,
                      tmp_path, f"web-{p}") for p in ports]  # fmt: skip
        workers = [spawn(["worker"], env, tmp_path, f"worker-{n}") for n in range(2)]
        try:
            urls = [f"http://127.0.0.1:{p}" for p in ports]
            for url, process in zip(urls, webs, strict=True):
                wait_healthy(url, process, 30)
            _run_load(urls, webs[0], workers[0], receiver)
            assert asyncio.run(stored_statuses(database)) == TOTAL
            _wait_for(lambda: len(receiver.created()) == TOTAL, 60, receiver)
            time.sleep(1.5)  # a second delivery of anything would arrive by now
            counts = receiver.created()
            assert len(counts) == TOTAL and set(counts.values()) == {1}, counts
        finally:
            for process in (*webs, *workers):
                terminate(process, 30)
    for n in range(2):  # each worker closed its delivery connections on the way out
        log = (tmp_path / f"worker-{n}.log").read_text()
        assert "Unclosed" not in log, log


def _run_load(urls: list[str], web: subprocess.Popen[bytes],
              worker: subprocess.Popen[bytes], receiver: Receiver) -> None:  # fmt: skip
    with httpx.Client(base_url=urls[1]) as client:
        anna = sign_in(client, "anna")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: post(urls[n % 2], anna, n), range(POSTS_BEFORE)))
        sent, go_on = threading.Event(), threading.Event()
        in_flight = pool.submit(slow_post, urls[0], anna, sent, go_on)
        assert sent.wait(10)
        time.sleep(0.2)  # the request has reached the server, its body not all of it
        web.terminate()
        time.sleep(0.5)  # the server is shutting down, the request still open
        go_on.set()
        assert in_flight.result().status_code == 200, in_flight.result().text
        # uvicorn re-raises SIGTERM once shut down, so systemd sees a clean stop by signal.
        assert web.wait(timeout=30) in (0, -15)
        list(pool.map(lambda n: post(urls[1], anna, n), range(100, 100 + POSTS_DURING)))
        _wait_for(lambda: len(receiver.created()) > POSTS_BEFORE, 30, receiver)
        code, seconds = terminate(worker, 30)  # with deliveries in its hands
        assert (code, seconds < 20) == (0, True), seconds
        list(pool.map(lambda n: post(urls[1], anna, n), range(200, 200 + POSTS_AFTER)))


def _wait_for(condition: object, seconds: float, receiver: Receiver) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out; received {len(receiver.created())} of {TOTAL}")
