"""The job handlers federation/ registers: fan-out, delivery, and inbox processing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from federation import push_delivery
from federation.delivery import DELIVER, Delivery
from federation.handlers.base import FEDERATE
from federation.inbox_writer import INBOX_JOB
from federation.processing import process_received
from federation.sender import Sender
from federation.service import build_federation
from fediverse import instances_purge, scheduled, tasks
from fediverse.jobs import JobRegistry
from fediverse.runtime import Runtime


def build_registry(
    runtime: Runtime,
    http: httpx.AsyncClient,
    *,
    aiohttp_deliveries: bool = True,
    push_titler: push_delivery.Titler = push_delivery.name_only,
) -> JobRegistry:
    """Deliveries go out over aiohttp (federation.sender: several times less CPU per POST
    than httpx); ``aiohttp_deliveries=False`` sends them through ``http``, for tests.
    ``push_titler`` words push titles in the recipient's language (the web layer's)."""
    fed = build_federation(runtime, http)
    sender = Sender(runtime.settings, fed.memory) if aiohttp_deliveries else None
    delivery = Delivery(fed, sender)
    registry = JobRegistry()
    if sender is not None:
        registry.on_close(sender.close)
    registry.register(FEDERATE, delivery.federate)
    registry.register(DELIVER, delivery.deliver)

    async def inbox(payload: dict[str, Any]) -> None:
        await process_received(fed, payload)

    registry.register(INBOX_JOB, inbox)
    tasks.register(registry, runtime.store, Path(runtime.settings.media_dir))
    instances_purge.register(registry, runtime.store)
    scheduled.register(registry, runtime)
    push_delivery.register(registry, runtime, http, push_titler)
    return registry
