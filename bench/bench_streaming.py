"""Streaming: 2,000 open SSE connections on one server process; how long until a status
reaches all of them, and the server's memory while they are open.

Run: .venv/bin/python bench/bench_streaming.py   (needs PostgreSQL, as the test suite does)
The status is posted through the API; its event is published through PostgreSQL NOTIFY
from this process (as another web or worker process would), and the clock runs from the
publish to the last connection's `update`.
Targets (issue 7): all 2,000 within 1 s; resident memory at most 250 MB.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
import psutil

from fediverse.events import Event, PostgresEventBus

CONNECTIONS = 2_000
PG_URL = os.environ.get("KOLLEGIUM_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
KOLLEGIUM = str(Path(sys.executable).with_name("kollegium"))
PASSWORD = "bench-password-1"


def environment(url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLLEGIUM_")}
    env.update(
        KOLLEGIUM_DOMAIN=f"127.0.0.1:{port}",
        KOLLEGIUM_DEV_INSECURE="1",
        KOLLEGIUM_SECRET_KEY=secrets.token_hex(32),
        KOLLEGIUM_DATABASE_URL=url,
        KOLLEGIUM_LOG_LEVEL="warning",
    )
    return env


async def token(base: str) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        app = (
            await http.post(
                "/api/v1/apps",
                json={
                    "client_name": "b",
                    "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                    "scopes": "read write",
                },
            )
        ).json()
        answer = await http.post(
            "/oauth/token",
            data={
                "grant_type": "password",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "username": "anna",
                "password": PASSWORD,
                "scope": "read write",
            },
        )
        return str(answer.json()["access_token"])


async def open_stream(
    port: int, bearer: str, ready: asyncio.Event, counter: list[int]
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /api/v1/streaming/public HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {bearer}\r\n\r\n".encode()
    )
    await writer.drain()
    while (line := await reader.readline()) and not line.startswith(b":)"):
        pass
    counter[0] += 1
    if counter[0] == CONNECTIONS:
        ready.set()
    return reader, writer


async def wait_update(reader: asyncio.StreamReader) -> float:
    while line := await reader.readline():
        if line.startswith(b"event: update"):
            return time.perf_counter()
    raise ConnectionError("stream closed")


async def run(url: str, home: str) -> None:
    port = int(
        subprocess.check_output(
            [
                sys.executable,
                "-c",
                "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])",
            ]
        )
    )
    env = environment(url, port)
    subprocess.run([KOLLEGIUM, "init"], env=env, cwd=home, check=True, capture_output=True)
    subprocess.run(
        [
            KOLLEGIUM,
            "user",
            "create",
            "anna",
            "--email",
            "anna@kommun-a.se",
            "--password",
            PASSWORD,
        ],
        env=env,
        cwd=home,
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [KOLLEGIUM, "serve", "--port", str(port), "--no-worker"], env=env, cwd=home
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                await asyncio.sleep(0.05)
        bearer = await token(base)
        idle_rss = psutil.Process(server.pid).memory_info().rss / 2**20
        ready, counter = asyncio.Event(), [0]
        streams = await asyncio.gather(
            *(open_stream(port, bearer, ready, counter) for _ in range(CONNECTIONS))
        )
        await asyncio.wait_for(ready.wait(), 60)
        rss = psutil.Process(server.pid).memory_info().rss / 2**20
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {bearer}"}
        ) as http:
            status_id = (await http.post("/api/v1/statuses", json={"status": "Till alla!"})).json()[
                "id"
            ]
        bus = PostgresEventBus(url)
        await bus.start()
        waiters = [asyncio.ensure_future(wait_update(reader)) for reader, _ in streams]
        started = time.perf_counter()
        await bus.publish(Event("timeline:public", "update", {"status_id": status_id}))
        arrivals = await asyncio.wait_for(asyncio.gather(*waiters), 30)
        await bus.stop()
        spread = sorted(t - started for t in arrivals)
        print(
            f"streaming: {CONNECTIONS} SSE connections on one server process; a status reached the first in {spread[0] * 1000:.0f} ms, the median in {spread[len(spread) // 2] * 1000:.0f} ms, all in {spread[-1] * 1000:.0f} ms (target 1,000 ms)"
        )
        print(
            f"streaming: server resident memory {idle_rss:.0f} MB idle, {rss:.0f} MB with {CONNECTIONS} connections open (target 250 MB)"
        )
        for _, writer in streams:
            writer.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


async def main() -> None:
    name = f"kb_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as home:
            await run(PG_URL.rsplit("/", 1)[0] + f"/{name}", home)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
