"""Database round trips per processed inbox Create(Note), and processing speed in-process.

Run as ``.venv/bin/python bench/bench_inbox_queries.py``. It stores signed Create(Note)
activities through a real ``kollegium serve --no-worker`` (as bench_inbox.py does), then
runs the worker's batches in this process and counts every statement sent to SQLite
(``databases`` calls and the store's raw BEGIN/COMMIT), per processed activity. Each round
trip to aiosqlite's thread costs a thread hop both ways, so their count bounds throughput.
``BENCH_PROFILE=cumulative`` (or ``tottime``) prints the top of a cProfile of the processing.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_inbox
from databases.core import Connection

from activitypub.keys import generate_rsa_private_key
from fediverse.rawsql import Raw
from fediverse.storage import database
from tests.support.processes import KOLLEGIUM, free_port, wait_healthy

ACTIVITIES = int(os.environ.get("BENCH_REQUESTS", "3000"))
calls: Counter[str] = Counter()


def count_round_trips() -> None:
    """Wrap every way a statement reaches the database, counting by kind."""
    for name in ("execute", "execute_many", "fetch_all", "fetch_one", "fetch_val"):
        original = getattr(Connection, name)

        def counted(self: Connection, *args: Any, _o: Any = original, _n: str = name) -> Any:
            calls[_n] += 1
            return _o(self, *args)

        setattr(Connection, name, counted)
    for name in ("rows", "execute", "batch"):
        original = getattr(Raw, name)

        def counted_text(self: Raw, *args: Any, _o: Any = original, _n: str = name) -> Any:
            calls[f"raw {_n}"] += 1
            return _o(self, *args)

        setattr(Raw, name, counted_text)
    insert_then = database.Store.insert_then

    async def counted_insert_then(self: database.Store, *args: Any) -> bool:
        calls["insert_then (one transaction)"] += 1
        return await insert_then(self, *args)

    database.Store.insert_then = counted_insert_then  # type: ignore[method-assign]
    raw = database._raw

    async def counted_raw(connection: Connection, statement: str) -> None:
        calls[statement.split()[0]] += 1
        await raw(connection, statement)

    database._raw = counted_raw  # type: ignore[assignment]


def store_activities(cwd: Path) -> dict[str, str]:
    port = free_port("127.0.0.1")
    env = bench_inbox.prepare(cwd, f"127.0.0.1:{port}")
    keys = [generate_rsa_private_key() for _ in range(bench_inbox.KEYS)]
    bench_inbox.cache_actors(cwd / "k.db", keys)
    base_url = f"http://127.0.0.1:{port}"
    requests = bench_inbox.signed_requests(base_url, keys, ACTIVITIES, 0)
    command = [KOLLEGIUM, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"]
    with (cwd / "serve.log").open("wb") as log:
        server = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(base_url, server, 20)
            _elapsed, statuses = asyncio.run(bench_inbox.blast(base_url, requests))
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert statuses.get(202) == ACTIVITIES, statuses
    return env


async def process_all(env: dict[str, str]) -> tuple[int, float, float]:
    from federation.http import build_client
    from fediverse.jobs import Worker
    from fediverse.runtime import open_runtime
    from fediverse.settings import load_settings
    from web.app import default_registry

    settings = load_settings(env, env_file=None)
    async with open_runtime(settings) as runtime, build_client(settings) as http:
        worker = Worker(runtime.queue, default_registry(runtime, http))  # type: ignore[arg-type]
        await worker.run_once()  # warm: imports, caches of the first actors
        calls.clear()
        started, cpu = time.perf_counter(), time.process_time()
        ran = 0
        while done := await worker.run_once():
            ran += done
        return ran, time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        env = store_activities(cwd)
        os.chdir(cwd)
        count_round_trips()
        profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
        if profile:
            profile.enable()
        ran, seconds, cpu = asyncio.run(process_all(env))
        if profile:
            profile.disable()
            pstats.Stats(profile).sort_stats(
                os.environ.get("BENCH_PROFILE", "cumulative")
            ).print_stats(45)
        total = sum(calls.values())
        kinds = ", ".join(f"{k} {v / ran:.1f}" for k, v in calls.most_common())
        print(
            f"processing in-process: {ran} Create(Note) in {seconds:.2f} s = {ran / seconds:,.0f}/s,"
            f" {cpu / ran * 1000:.2f} ms of CPU each (all threads);"
            f" {total / ran:.1f} database round trips each ({kinds}); load {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
