"""Enqueueing, claiming and finishing jobs.

A job is enqueued on the caller's connection, so it commits or rolls back with the data
that caused it. Workers claim jobs in batches under a lease; a job whose worker died is
queued again once its lease runs out. On PostgreSQL claims use ``FOR UPDATE SKIP LOCKED``
so any number of workers share the table; on SQLite the single writer serializes them.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import delete, func, insert, select, update

from fediverse.errors import StorageError
from fediverse.ids import now_ms
from fediverse.jobs.backoff import retry_delay_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import jobs

DEFAULT_MAX_ATTEMPTS = 10
ERROR_LIMIT = 4_000
# One wake-up per store, shared by every JobQueue made on it: code that enqueues makes its
# own JobQueue(store), and its jobs must still wake the worker waiting on the runtime's.
_WAKEUPS: weakref.WeakKeyDictionary[Store, asyncio.Event] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    name: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


@dataclass(frozen=True, slots=True)
class FailedJob:
    id: int
    name: str
    attempts: int
    last_error: str
    created_at: int


class JobQueue:
    """The jobs table of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._wakeup = _WAKEUPS.setdefault(store, asyncio.Event())

    async def enqueue(
        self,
        conn: Connection,
        name: str,
        payload: dict[str, Any],
        *,
        delay_ms: int = 0,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> int:
        """Add one job inside the caller's transaction; returns its id."""
        ids = await self.enqueue_many(
            conn, [(name, payload)], delay_ms=delay_ms, max_attempts=max_attempts
        )
        return ids[0]

    async def enqueue_many(
        self,
        conn: Connection,
        items: Sequence[tuple[str, dict[str, Any]]],
        *,
        delay_ms: int = 0,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> list[int]:
        """Add many jobs in one statement inside the caller's transaction."""
        if not items:
            return []
        now = now_ms()
        rows = [self.row(name, payload, now, delay_ms, max_attempts) for name, payload in items]
        await conn.execute(insert(jobs).values(rows))
        self._notify_after_commit(conn)
        return [row["id"] for row in rows]

    def _notify_after_commit(self, conn: Connection) -> None:
        """Wake the worker once the jobs are there to claim: after the transaction commits
        (a worker woken before would find nothing and sleep its whole poll)."""

        async def wake() -> None:
            self.notify()

        try:
            self.store.after_commit(conn, wake)
        except StorageError:  # not a Store.write() connection: nothing to wait for
            self.notify()

    def insert_statement(
        self,
        name: str,
        payload: dict[str, Any],
        *,
        delay_ms: int = 0,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> tuple[str, list[object]]:
        """The row ``enqueue`` adds, as one hand-written INSERT (``fediverse.rawsql``) for a
        transaction that runs its own statements (``Store.write_plan``); call ``notify``
        once that has committed."""
        row = self.row(name, payload, now_ms(), delay_ms, max_attempts)
        return _insert_sql(tuple(row)), list(row.values())

    def row(
        self,
        name: str,
        payload: dict[str, Any],
        now: int,
        delay_ms: int = 0,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> dict[str, Any]:
        """A new job's row, for code that inserts jobs with rows of its own (the inbox)."""
        return {
            "id": self.store.new_id(),
            "name": name,
            "payload": orjson.dumps(payload).decode(),
            "state": "queued",
            "attempts": 0,
            "max_attempts": max_attempts,
            "run_at": now + delay_ms,
            "created_at": now,
        }

    def notify(self) -> None:
        """Wake a worker of this process waiting in ``wait_for_work``."""
        self._wakeup.set()

    async def wait_for_work(self, seconds: float) -> None:
        """Return when a job was enqueued in this process, or after ``seconds``."""
        try:
            await asyncio.wait_for(self._wakeup.wait(), seconds)
        except TimeoutError:
            return
        finally:
            self._wakeup.clear()

    async def claim(
        self, worker_id: str, limit: int, lease_ms: int, finished: Sequence[int] = ()
    ) -> list[Job]:
        """Take up to ``limit`` due jobs for ``worker_id`` until the lease runs out.

        ``finished`` jobs of the previous batch are forgotten in the same transaction,
        which halves the write transactions a busy worker makes.
        """
        now = now_ms()
        due = (
            select(jobs.c.id)
            .where(jobs.c.state == "queued", jobs.c.run_at <= now)
            .order_by(jobs.c.run_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(jobs)
            .where(jobs.c.id.in_(due.scalar_subquery()))
            .values(
                state="running",
                locked_by=worker_id,
                locked_until=now + lease_ms,
                attempts=jobs.c.attempts + 1,
            )
            .returning(jobs.c.id, jobs.c.name, jobs.c.payload, jobs.c.attempts, jobs.c.max_attempts)
        )
        async with self.store.write() as conn:
            if finished:
                await conn.execute(delete(jobs).where(jobs.c.id.in_(list(finished))))
            rows = await conn.fetch_all(claim)
        return [Job(r[0], r[1], orjson.loads(r[2]), r[3], r[4]) for r in rows]

    async def complete(self, ids: Iterable[int]) -> None:
        """Forget jobs that ran to the end."""
        done = list(ids)
        if not done:
            return
        async with self.store.write() as conn:
            await conn.execute(delete(jobs).where(jobs.c.id.in_(done)))

    async def fail(self, job: Job, error: str) -> bool:
        """Record a failed try; schedule the next or keep the job as failed. True if kept."""
        exhausted = job.attempts >= job.max_attempts
        values: dict[str, Any] = {
            "locked_by": None,
            "locked_until": None,
            "last_error": error[:ERROR_LIMIT],
            "state": "failed" if exhausted else "queued",
        }
        if not exhausted:
            values["run_at"] = now_ms() + retry_delay_ms(job.attempts)
        async with self.store.write() as conn:
            await conn.execute(update(jobs).where(jobs.c.id == job.id).values(**values))
        return exhausted

    async def requeue_expired(self) -> int:
        """Queue again the jobs whose worker died (its lease ran out); returns how many."""
        expired = (
            update(jobs)
            .where(jobs.c.state == "running", jobs.c.locked_until < now_ms())
            .values(state="queued", locked_by=None, locked_until=None, run_at=now_ms())
            .returning(jobs.c.id)
        )
        async with self.store.write() as conn:
            return len(await conn.fetch_all(expired))

    async def counts(self) -> dict[str, int]:
        """How many jobs are queued, running and failed."""
        query = select(jobs.c.state, func.count()).group_by(jobs.c.state)
        async with self.store.read() as conn:
            rows = await conn.fetch_all(query)
        return {"queued": 0, "running": 0, "failed": 0} | {r[0]: r[1] for r in rows}

    async def failed(self, limit: int = 100) -> list[FailedJob]:
        query = (
            select(jobs.c.id, jobs.c.name, jobs.c.attempts, jobs.c.last_error, jobs.c.created_at)
            .where(jobs.c.state == "failed")
            .order_by(jobs.c.id.desc())
            .limit(limit)
        )
        async with self.store.read() as conn:
            rows = await conn.fetch_all(query)
        return [FailedJob(r[0], r[1], r[2], r[3] or "", r[4]) for r in rows]

    async def retry(self, job_id: int) -> bool:
        """Queue a failed job again, with a fresh count of tries. False if no such failed job."""
        again = (
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == "failed")
            .values(state="queued", attempts=0, run_at=now_ms())
            .returning(jobs.c.id)
        )
        async with self.store.write() as conn:
            return bool(await conn.fetch_all(again))


@lru_cache(maxsize=1)
def _insert_sql(columns: tuple[str, ...]) -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO jobs ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
