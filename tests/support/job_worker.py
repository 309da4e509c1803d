"""A job worker process for tests, with handlers that leave traces in files.

Usage: python -m tests.support.job_worker DATABASE_URL TRACE_DIR LEASE_MS BATCH
Handlers:
  record       appends the payload's ``n`` to TRACE_DIR/done-<pid>
  hang_once    the first time: touches TRACE_DIR/started and sleeps until killed;
               afterwards: appends to TRACE_DIR/completed
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from fediverse.jobs import JobQueue, JobRegistry, Worker
from fediverse.storage.database import Store
from fediverse.storage.nodes import claim_node, make_holder


def registry(trace: Path) -> JobRegistry:
    done = trace / f"done-{os.getpid()}"

    async def record(payload: dict[str, Any]) -> None:
        with done.open("a") as out:
            out.write(f"{payload['n']}\n")

    async def hang_once(_payload: dict[str, Any]) -> None:
        started = trace / "started"
        if not started.exists():
            started.touch()
            await asyncio.sleep(3600)
        with (trace / "completed").open("a") as out:
            out.write("completed\n")

    jobs = JobRegistry()
    jobs.register("record", record)
    jobs.register("hang_once", hang_once)
    return jobs


async def main(url: str, trace: Path, lease_ms: int, batch: int) -> None:
    store = Store(url)
    await store.connect()
    await claim_node(store, make_holder())
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    worker = Worker(
        JobQueue(store),
        registry(trace),
        batch=batch,
        concurrency=10,
        lease_ms=lease_ms,
        poll_seconds=0.05,
        requeue_every_seconds=0.2,
    )
    (trace / f"ready-{os.getpid()}").touch()
    await worker.run(stop)
    await store.disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
