"""The job handlers federation/ registers: fan-out, delivery, and inbox processing."""

from __future__ import annotations

from typing import Any

import httpx

from federation.delivery import DELIVER, Delivery
from federation.handlers.base import FEDERATE
from federation.inbox import INBOX_JOB
from federation.processing import process_received
from federation.service import build_federation
from fediverse.jobs import JobRegistry
from fediverse.runtime import Runtime


def build_registry(runtime: Runtime, http: httpx.AsyncClient) -> JobRegistry:
    fed = build_federation(runtime, http)
    delivery = Delivery(fed)
    registry = JobRegistry()
    registry.register(FEDERATE, delivery.federate)
    registry.register(DELIVER, delivery.deliver)

    async def inbox(payload: dict[str, Any]) -> None:
        await process_received(fed, payload)

    registry.register(INBOX_JOB, inbox)
    return registry
