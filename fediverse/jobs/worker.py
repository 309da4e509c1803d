"""The worker: claims batches of jobs and runs their handlers."""

from __future__ import annotations

import asyncio
import logging
import traceback

from fediverse.jobs.queue import Job, JobQueue
from fediverse.jobs.registry import JobRegistry
from fediverse.storage.nodes import make_holder

log = logging.getLogger(__name__)
REQUEUE_EVERY_SECONDS = 10.0


class Worker:
    """Runs jobs until stopped. ``run_once`` runs one batch, for deterministic tests."""

    def __init__(
        self,
        queue: JobQueue,
        registry: JobRegistry,
        *,
        worker_id: str | None = None,
        batch: int = 100,
        concurrency: int = 50,
        lease_ms: int = 300_000,
        poll_seconds: float = 0.5,
        requeue_every_seconds: float = REQUEUE_EVERY_SECONDS,
        gather_seconds: float = 0.005,
    ) -> None:
        self.queue = queue
        self.registry = registry
        self.worker_id = worker_id or make_holder()
        self.batch = batch
        self.lease_ms = lease_ms
        self.poll_seconds = poll_seconds
        self.requeue_every_seconds = requeue_every_seconds
        self.gather_seconds = gather_seconds
        self._slots = asyncio.Semaphore(concurrency)
        self._last_requeue = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and run jobs until ``stop`` is set; the batch in hand is finished first."""
        finished: list[int] = []
        while not stop.is_set():
            try:
                await self._requeue_if_due()
                claimed = await self.queue.claim(
                    self.worker_id, self.batch, self.lease_ms, finished
                )
                finished = await self._run_batch(claimed)
            except Exception:  # the database went away; keep the worker alive and try again
                log.exception("worker cycle failed", extra={"worker": self.worker_id})
                claimed = []
            if not claimed:
                await self.queue.wait_for_work(self.poll_seconds)
                # Woken by a single enqueue, wait a moment so that its neighbours come too:
                # one claim for many jobs costs far less than one claim each.
                await asyncio.sleep(self.gather_seconds)
        await self.queue.complete(finished)

    async def _requeue_if_due(self) -> None:
        now = asyncio.get_running_loop().time()
        if now - self._last_requeue < self.requeue_every_seconds:
            return
        self._last_requeue = now
        requeued = await self.queue.requeue_expired()
        if requeued:
            log.warning("requeued jobs whose worker died", extra={"count": requeued})

    async def run_once(self) -> int:
        """Claim one batch, run it, record the outcomes; returns how many jobs ran."""
        claimed = await self.queue.claim(self.worker_id, self.batch, self.lease_ms)
        await self.queue.complete(await self._run_batch(claimed))
        return len(claimed)

    async def _run_batch(self, claimed: list[Job]) -> list[int]:
        """Run a batch; returns the ids of the jobs that finished."""
        outcomes = await asyncio.gather(*(self._run(job) for job in claimed))
        return [job.id for job, ok in zip(claimed, outcomes, strict=True) if ok]

    async def _run(self, job: Job) -> bool:
        async with self._slots:
            try:
                await self.registry.handler(job.name)(job.payload)
            except Exception as exc:  # the one broad except: any handler error is a failed try
                await self._record_failure(job, exc)
                return False
            return True

    async def _record_failure(self, job: Job, exc: Exception) -> None:
        error = "".join(traceback.format_exception_only(exc)).strip()
        kept = await self.queue.fail(job, error)
        level = logging.ERROR if kept else logging.WARNING
        log.log(
            level,
            "job failed" + (" for good; kept for inspection" if kept else "; will retry"),
            extra={"job_id": job.id, "job": job.name, "attempts": job.attempts, "error": error},
        )
