"""The durable job queue: transactional enqueue, retries, leases, and workers in processes."""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from fediverse.jobs import JobQueue, JobRegistry, Worker
from fediverse.jobs.backoff import CAP_MS, retry_delay_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import instance_settings, jobs
from tests.support.databases import postgres_database

ROOT = Path(__file__).resolve().parents[2]


def worker_for(queue: JobQueue, **handlers: Any) -> Worker:
    registry = JobRegistry()
    for name, handler in handlers.items():
        registry.register(name, handler)
    return Worker(queue, registry, poll_seconds=0.01)


async def job_rows(store: Store) -> list[dict[str, Any]]:
    async with store.read() as conn:
        return [dict(r._mapping) for r in await conn.fetch_all(select(jobs))]


async def make_due(store: Store) -> None:
    async with store.write() as conn:
        await conn.execute(update(jobs).values(run_at=0))


async def test_a_job_runs_once_and_is_forgotten(store: Store, queue: JobQueue) -> None:
    seen: list[dict[str, Any]] = []

    async def handler(payload: dict[str, Any]) -> None:
        seen.append(payload)

    async with store.write() as conn:
        await queue.enqueue(conn, "greet", {"to": "Åsa"})
    worker = worker_for(queue, greet=handler)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    assert seen == [{"to": "Åsa"}]
    assert await job_rows(store) == []


async def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(
    store: Store, queue: JobQueue
) -> None:
    ran: list[object] = []

    async def handler(payload: dict[str, Any]) -> None:
        ran.append(payload)

    with pytest.raises(RuntimeError):
        async with store.write() as conn:
            await conn.execute(insert(instance_settings).values(key="k", value="v", updated_at=1))
            await queue.enqueue(conn, "greet", {})
            raise RuntimeError("the data write failed")
    assert await worker_for(queue, greet=handler).run_once() == 0
    assert ran == [] and await job_rows(store) == []


async def test_a_delayed_job_waits_for_its_time(store: Store, queue: JobQueue) -> None:
    async with store.write() as conn:
        await queue.enqueue(conn, "later", {}, delay_ms=60_000)
    assert await worker_for(queue).run_once() == 0
    assert (await queue.counts())["queued"] == 1


async def test_a_failed_try_is_retried_later_and_finally_kept_with_its_error(
    store: Store, queue: JobQueue
) -> None:
    async def refuse(_payload: dict[str, Any]) -> None:
        raise ValueError("peer answered 500")

    async with store.write() as conn:
        job_id = await queue.enqueue(conn, "deliver", {}, max_attempts=2)
    worker = worker_for(queue, deliver=refuse)
    before = int(time.time() * 1000)
    await worker.run_once()
    [row] = await job_rows(store)
    assert row["state"] == "queued" and row["attempts"] == 1
    assert row["run_at"] >= before + 7_500
    assert "ValueError: peer answered 500" in row["last_error"]

    await make_due(store)
    await worker.run_once()
    [row] = await job_rows(store)
    assert row["state"] == "failed" and row["attempts"] == 2
    [failed] = await queue.failed()
    assert failed.id == job_id and "peer answered 500" in failed.last_error

    assert await queue.retry(job_id) is True
    assert (await queue.counts()) == {"queued": 1, "running": 0, "failed": 0}
    assert await queue.retry(job_id) is False


async def test_a_job_without_a_handler_fails_and_says_why(store: Store, queue: JobQueue) -> None:
    async with store.write() as conn:
        await queue.enqueue(conn, "unknown", {}, max_attempts=1)
    await worker_for(queue).run_once()
    [failed] = await queue.failed()
    assert "no handler registered for job 'unknown'" in failed.last_error


async def test_one_failing_job_does_not_hold_back_the_rest_of_its_batch(
    store: Store, queue: JobQueue
) -> None:
    done: list[int] = []

    async def maybe(payload: dict[str, Any]) -> None:
        if payload["n"] == 2:
            raise RuntimeError("bad one")
        done.append(payload["n"])

    async with store.write() as conn:
        await queue.enqueue_many(conn, [("maybe", {"n": n}) for n in range(5)])
    await worker_for(queue, maybe=maybe).run_once()
    assert sorted(done) == [0, 1, 3, 4]
    assert [r["state"] for r in await job_rows(store)] == ["queued"]


async def test_an_expired_lease_is_queued_again(store: Store, queue: JobQueue) -> None:
    async with store.write() as conn:
        await queue.enqueue(conn, "x", {})
    [claimed] = await queue.claim("dead-worker", 10, lease_ms=-1)
    assert await queue.claim("other", 10, lease_ms=1000) == []
    assert await queue.requeue_expired() == 1
    [again] = await queue.claim("other", 10, lease_ms=1000)
    assert again.id == claimed.id and again.attempts == 2


def test_the_backoff_doubles_from_ten_seconds_with_jitter_and_a_cap() -> None:
    rng = random.Random(7)
    for attempts, exact in [(1, 10_000), (2, 20_000), (3, 40_000), (8, 1_280_000)]:
        delays = [retry_delay_ms(attempts, rng) for _ in range(200)]
        assert exact * 0.75 <= min(delays) and max(delays) <= exact * 1.25
        assert min(delays) != max(delays), "jitter spreads the retries"
    assert max(retry_delay_ms(40, rng) for _ in range(100)) <= CAP_MS * 1.25


# Workers as separate processes.


def start_worker(url: str, trace: Path, lease_ms: int, batch: int = 10) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.job_worker",
            url,
            str(trace),
            str(lease_ms),
            str(batch),
        ],
        cwd=ROOT,
    )


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.02)


async def wait_until_async(condition: Callable[[], Any], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def test_a_job_whose_worker_was_killed_runs_again_and_completes_once(
    store: Store, queue: JobQueue, database_url: str, tmp_path: Path
) -> None:
    async with store.write() as conn:
        await queue.enqueue(conn, "hang_once", {})
    first = start_worker(database_url, tmp_path, lease_ms=1_000)
    try:
        wait_until((tmp_path / "started").exists, 20, "the first worker to start the job")
    finally:
        first.kill()  # SIGKILL: no clean-up, the job stays leased to a dead worker
        first.wait()
    assert (await queue.counts())["running"] == 1

    second = start_worker(database_url, tmp_path, lease_ms=1_000)
    try:

        async def queue_empty() -> bool:
            return await job_rows(store) == []

        await wait_until_async(queue_empty, 20, "the second worker to finish the job")
    finally:
        stop(second)
    assert (tmp_path / "completed").read_text() == "completed\n"


@pytest.mark.postgres
async def test_two_workers_on_postgresql_run_a_thousand_jobs_exactly_once(tmp_path: Path) -> None:
    from fediverse.storage.migrate import upgrade
    from fediverse.storage.nodes import claim_node, make_holder

    async with postgres_database() as url:
        await asyncio.to_thread(upgrade, url)
        store = Store(url)
        await store.connect()
        await claim_node(store, make_holder())
        workers = [start_worker(url, tmp_path, lease_ms=60_000, batch=10) for _ in range(2)]
        try:
            wait_until(lambda: len(list(tmp_path.glob("ready-*"))) == 2, 20, "both workers")
            async with store.write() as conn:
                await JobQueue(store).enqueue_many(
                    conn, [("record", {"n": n}) for n in range(1000)]
                )

            async def all_done() -> bool:
                return await job_rows(store) == []

            await wait_until_async(all_done, 60, "1,000 jobs to finish")
        finally:
            for process in workers:
                stop(process)
            await store.disconnect()
    per_worker = [path.read_text().split() for path in tmp_path.glob("done-*")]
    everything = [n for lines in per_worker for n in lines]
    assert sorted(map(int, everything)) == list(range(1000)), "each job ran exactly once"
    assert len(per_worker) == 2 and all(per_worker), "both workers took a share"


async def test_a_job_enqueued_anywhere_wakes_the_worker_once_committed(
    store: Store, queue: JobQueue
) -> None:
    """Code that enqueues makes its own JobQueue(store); its job still wakes the worker that
    waits on the runtime's queue, and only when the transaction has committed."""
    waiting = asyncio.create_task(queue.wait_for_work(30))
    await asyncio.sleep(0)
    async with store.write() as conn:
        await JobQueue(store).enqueue(conn, "anything", {})
        await asyncio.sleep(0.05)
        assert not waiting.done()  # not woken before the job can be claimed
    started = time.monotonic()
    await asyncio.wait_for(waiting, 5)
    assert time.monotonic() - started < 1


async def test_registry_close__closes_what_the_handlers_hold_once() -> None:
    registry = JobRegistry()
    closed: list[str] = []

    async def close_pool() -> None:
        closed.append("pool")

    registry.on_close(close_pool)
    await registry.close()
    await registry.close()  # a second stop closes nothing twice
    assert closed == ["pool"]
