"""A worker process for bench_jobs.py: claims jobs and runs a no-op handler until SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

from fediverse.jobs import JobQueue, JobRegistry, Worker
from fediverse.storage.database import Store
from fediverse.storage.nodes import claim_node, make_holder


async def noop(_payload: dict[str, Any]) -> None:
    return None


async def main(url: str) -> None:
    store = Store(url)
    await store.connect()
    await claim_node(store, make_holder())
    registry = JobRegistry()
    registry.register("noop", noop)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await Worker(JobQueue(store), registry, poll_seconds=0.005).run(stop)
    await store.disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
