"""What a running process holds: the settings, the store with its id node, the job queue."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fediverse.jobs import JobQueue
from fediverse.settings import Settings
from fediverse.storage.database import Store, check_schema
from fediverse.storage.nodes import claim_node, keep_node, make_holder, release_node


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    store: Store
    queue: JobQueue


@contextlib.asynccontextmanager
async def open_runtime(settings: Settings, *, check: bool = True) -> AsyncIterator[Runtime]:
    """Connect, check the schema, claim an id node; undo all of it on the way out."""
    store = Store(settings.database_url)
    await store.connect()
    try:
        if check:
            await check_schema(store)
        holder = make_holder()
        node = await claim_node(store, holder)
        keeper = asyncio.create_task(keep_node(store, node, holder))
        try:
            yield Runtime(settings, store, JobQueue(store))
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await release_node(store, node, holder)
    finally:
        await store.disconnect()
