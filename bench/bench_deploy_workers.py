"""Delivery throughput of one and of two `kollegium worker` processes sharing PostgreSQL.

    .venv/bin/python bench/bench_deploy_workers.py

A peer on loopback takes every delivery and answers after 200 ms, which stands for a remote
server's latency. Anna has FOLLOWERS followers, each on its own shared inbox; she posts
POSTS statuses through the API while no worker runs; then the workers start, fan out and
deliver. The figure is deliveries per second from the first to the last one received.

Target (issue 9): two workers deliver at least 1.7 times what one does.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ops.support import PASSWORD, sign_in  # noqa: E402
from tests.support.databases import postgres_database_sync  # noqa: E402
from tests.support.processes import (  # noqa: E402
    KOLLEGIUM,
    free_port,
    instance_env,
    kollegium,
    wait_healthy,
)

os.environ.setdefault(
    "KOLLEGIUM_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


async def add_followers(database_url: str, origin: str, count: int) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        anna = await conn.fetchval("SELECT id FROM accounts WHERE username = 'anna'")
        domain, now = origin.removeprefix("http://"), int(time.time() * 1000)
        accounts = [(n + 1, f"peer{n}", domain, f"{origin}/users/peer{n}",
                     f"{origin}/users/peer{n}/inbox", f"{origin}/inbox/{n}", now, now)
                    for n in range(count)]  # fmt: skip
        await conn.copy_records_to_table("accounts", records=accounts, columns=[
            "id", "username", "domain", "uri", "inbox_url", "shared_inbox_url", "created_at",
            "updated_at"])  # fmt: skip
        follows = [(10_000 + n, n + 1, anna, now) for n in range(count)]
        await conn.copy_records_to_table("follows", records=follows,
                                         columns=["id", "account_id", "target_account_id",
                                                  "created_at"])  # fmt: skip
    finally:
        await conn.close()


def spawn(args: list[str], env: dict[str, str], cwd: Path, name: str) -> subprocess.Popen[bytes]:
    with (cwd / f"{name}.log").open("wb") as log:
        return subprocess.Popen(args, env=env, cwd=cwd, stdout=log, stderr=log)


def measure(
    workers: int, posts: int, followers: int, delay_ms: int, work: Path, concurrency: int = 50
) -> float:
    """Deliveries per second with ``workers`` worker processes."""
    port, peer_port = free_port(), free_port()
    origin = f"http://127.0.0.1:{peer_port}"
    with postgres_database_sync() as url:
        env = instance_env(url, f"127.0.0.1:{port}", KOLLEGIUM_FEDERATION_MODE="blocklist",
                           KOLLEGIUM_MEDIA_DIR=str(work / "media"))  # fmt: skip
        for args in (["init"], ["user", "create", "anna", "--email", "anna@kommun-a.se",
                                "--password", PASSWORD]):  # fmt: skip
            assert kollegium(*args, env=env, cwd=work).returncode == 0
        asyncio.run(add_followers(url, origin, followers))
        receiver = spawn([sys.executable, str(ROOT / "bench" / "_delivery_receiver.py"),
                          "127.0.0.1", str(peer_port), str(delay_ms)], env, work, "peer")  # fmt: skip
        web = spawn([KOLLEGIUM, "serve", "--host", "127.0.0.1", "--port", str(port),
                     "--no-worker"], env, work, "web")  # fmt: skip
        running = [receiver, web]
        try:
            wait_healthy(f"http://127.0.0.1:{port}", web, 30)
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                anna = sign_in(client, "anna")
                for n in range(posts):
                    done = client.post("/api/v1/statuses", headers=anna,
                                       json={"status": f"Nr {n}", "local_only": False})  # fmt: skip
                    assert done.status_code == 200, done.text
            worker = [KOLLEGIUM, "worker", "--concurrency", str(concurrency)]
            running += [spawn(worker, env, work, f"worker-{n}")
                        for n in range(workers)]  # fmt: skip
            return _rate(origin, posts * followers)
        finally:
            for process in running:
                process.terminate()
                process.wait(timeout=60)


def _rate(origin: str, expected: int, limit: float = 180) -> float:
    deadline = time.monotonic() + limit
    report: dict[str, float] = {"count": 0}
    while time.monotonic() < deadline:
        time.sleep(0.5)
        try:
            report = httpx.get(f"{origin}/count", timeout=5).json()
        except httpx.TransportError:
            continue
        if report["count"] >= expected:
            break
    if report["count"] < expected:
        raise RuntimeError(f"delivered {report} of {expected}")
    return report["count"] / (report["last"] - report["first"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--followers", type=int, default=150)
    parser.add_argument("--delay-ms", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50, help="jobs each worker runs at once")
    args = parser.parse_args()
    work = Path(__import__("tempfile").mkdtemp(prefix="kollegium-bench-workers-"))
    shape = (args.posts, args.followers, args.delay_ms, work, args.concurrency)
    one = measure(1, *shape)
    two = measure(2, *shape)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"deliveries ({args.posts * args.followers} per run, peer answering in "
          f"{args.delay_ms} ms, --concurrency {args.concurrency}, PostgreSQL, "
          f"{os.cpu_count()} cores, {stamp}): "
          f"1 worker {one:.0f}/s, 2 workers {two:.0f}/s, ratio {two / one:.2f} "
          f"(target >= 1.7)")  # fmt: skip


if __name__ == "__main__":
    main()
