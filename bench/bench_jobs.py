"""Job queue throughput: enqueue + claim + no-op handler + complete, end to end.

Run: .venv/bin/python bench/bench_jobs.py
SQLite: one process enqueues (in transactions of BATCH jobs, as a fan-out does, and also
one job per transaction, as a single post does) while an in-process worker drains.
PostgreSQL (if KOLLEGIUM_TEST_DATABASE_URL or the default local server is reachable): two
`worker` processes drain what this process enqueues.
Targets (issue 2): >= 2,000 jobs/s on SQLite, >= 3,000 jobs/s with two workers on PostgreSQL.
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
from typing import Any

import asyncpg

from fediverse.jobs import JobQueue, JobRegistry, Worker
from fediverse.storage.database import Store
from fediverse.storage.migrate import upgrade
from fediverse.storage.nodes import claim_node, make_holder

JOBS = 20_000
BATCH = 100
SINGLE_JOBS = 3_000
PG_URL = os.environ.get("KOLLEGIUM_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parent.parent


async def noop(_payload: dict[str, Any]) -> None:
    return None


async def open_store(url: str) -> Store:
    store = Store(url)
    await store.connect()
    await claim_node(store, make_holder())
    return store


async def enqueue(store: Store, queue: JobQueue, total: int, batch: int) -> None:
    for start in range(0, total, batch):
        async with store.write() as conn:
            await queue.enqueue_many(
                conn, [("noop", {"n": n}) for n in range(start, start + batch)]
            )


async def drained(queue: JobQueue) -> bool:
    counts = await queue.counts()
    return counts["queued"] == counts["running"] == 0


async def sqlite_run(total: int, batch: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        store = await open_store(url)
        queue = JobQueue(store)
        registry = JobRegistry()
        registry.register("noop", noop)
        stop = asyncio.Event()
        worker = asyncio.create_task(Worker(queue, registry, poll_seconds=0.005).run(stop))
        started = time.perf_counter()
        await enqueue(store, queue, total, batch)
        while not await drained(queue):
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - started
        stop.set()
        queue.notify()
        await worker
        await store.disconnect()
    return total / elapsed


async def postgres_run(total: int) -> float:
    name = f"kb_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        await asyncio.to_thread(upgrade, url)
        store = await open_store(url)
        queue = JobQueue(store)
        # Jobs first, then the workers: the figure is what two workers drain per second.
        await enqueue(store, queue, total, 1000)
        command = [sys.executable, str(ROOT / "bench" / "_noop_worker.py"), url]
        started = time.perf_counter()
        workers = [subprocess.Popen(command, cwd=ROOT) for _ in range(2)]
        while not await drained(queue):
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        for process in workers:
            process.terminate()
            process.wait(timeout=30)
        await store.disconnect()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return total / elapsed


async def postgres_reachable() -> bool:
    try:
        connection = await asyncpg.connect(PG_URL, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def main() -> None:
    rate = await sqlite_run(JOBS, BATCH)
    print(
        f"sqlite: {JOBS} jobs enqueued {BATCH} per transaction, drained by 1 in-process worker: {rate:,.0f} jobs/s (target 2,000)"
    )
    rate = await sqlite_run(SINGLE_JOBS, 1)
    print(
        f"sqlite: {SINGLE_JOBS} jobs enqueued 1 per transaction, drained by 1 in-process worker: {rate:,.0f} jobs/s"
    )
    if not await postgres_reachable():
        print(f"postgresql: not reachable at {PG_URL}; skipped")
        return
    rate = await postgres_run(JOBS)
    print(
        f"postgresql: {JOBS} jobs drained by 2 worker processes (claim+no-op+complete, includes process start): {rate:,.0f} jobs/s (target 3,000)"
    )


if __name__ == "__main__":
    asyncio.run(main())
