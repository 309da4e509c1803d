"""What a running process holds: the settings, the store with its id node, the job queue,
and the event bus that carries events to the other processes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fediverse.events import EventBus, build_event_bus
from fediverse.jobs import JobQueue
from fediverse.settings import Settings
from fediverse.storage.database import Store, check_schema
from fediverse.storage.nodes import claim_node, keep_node, make_holder, release_node


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    store: Store
    queue: JobQueue
    # In memory unless started by open_runtime(events=True): one-shot commands need none.
    events: EventBus = field(default_factory=EventBus)


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings, *, check: bool = True, events: bool = False
) -> AsyncIterator[Runtime]:
    """Connect, check the schema, claim an id node, and with ``events`` join the event bus
    shared by every process; undo all of it on the way out."""
    store = Store(settings.database_url)
    await store.connect()
    try:
        if check:
            await check_schema(store)
        holder = make_holder()
        node = await claim_node(store, holder)
        keeper = asyncio.create_task(keep_node(store, node, holder))
        bus = build_event_bus(settings.database_url, settings.redis_url) if events else EventBus()
        await bus.start()
        store.events = bus
        try:
            yield Runtime(settings, store, JobQueue(store), bus)
        finally:
            await bus.stop()
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await release_node(store, node, holder)
    finally:
        await store.disconnect()
