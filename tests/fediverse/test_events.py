"""The event bus: in memory, and across processes through PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import os
import secrets

import pytest

from fediverse.errors import ValidationError
from fediverse.events import (
    QUEUE_SIZE,
    Event,
    EventBus,
    PostgresEventBus,
    RedisEventBus,
    build_event_bus,
)
from tests.support.databases import postgres_database

REDIS_ENV = "KOLLEGIUM_TEST_REDIS_URL"


async def next_event(subscription: object, seconds: float = 5.0) -> Event:
    return await asyncio.wait_for(subscription.get(), seconds)  # type: ignore[attr-defined]


async def test_a_subscriber_gets_the_events_of_its_topics_in_order() -> None:
    bus = EventBus()
    public = bus.subscribe({"timeline:public"})
    await bus.publish(Event("timeline:public", "update", {"status_id": "1"}))
    await bus.publish(Event("user:7", "notification", {"id": "2"}))
    await bus.publish(Event("timeline:public", "delete", {"status_id": "1"}))
    assert [(await next_event(public)).name for _ in range(2)] == ["update", "delete"]
    assert public._queue.empty()


async def test_a_closed_subscription_gets_nothing_more() -> None:
    bus = EventBus()
    subscription = bus.subscribe({"t"})
    subscription.close()
    await bus.publish(Event("t", "update", {}))
    assert bus.subscriber_count == 0
    assert subscription._queue.empty()


async def test_a_slow_subscriber_loses_the_oldest_events_not_memory() -> None:
    bus = EventBus()
    slow = bus.subscribe({"t"})
    for n in range(QUEUE_SIZE + 5):
        await bus.publish(Event("t", "update", {"n": n}))
    assert slow.dropped == 5
    assert (await next_event(slow)).data == {"n": 5}


async def test_an_event_too_large_for_postgresql_is_refused_everywhere() -> None:
    with pytest.raises(ValidationError, match="at most 7000 bytes"):
        await EventBus().publish(Event("t", "update", {"html": "x" * 8000}))


def test_the_backend_follows_the_configuration() -> None:
    assert type(build_event_bus("sqlite:///x.db", None)) is EventBus
    assert type(build_event_bus("postgresql://db/x", None)) is PostgresEventBus
    assert type(build_event_bus("sqlite:///x.db", "redis://127.0.0.1:6379/0")) is RedisEventBus


async def two_buses_exchange_an_event(first: EventBus, second: EventBus) -> None:
    topic = f"user:{secrets.token_hex(4)}"
    await first.start()
    await second.start()
    try:
        subscription = second.subscribe({topic})
        mine = first.subscribe({topic})
        await first.publish(Event(topic, "notification", {"id": "42"}))
        assert await next_event(subscription) == Event(topic, "notification", {"id": "42"})
        assert await next_event(mine) == Event(topic, "notification", {"id": "42"})
    finally:
        await first.stop()
        await second.stop()


@pytest.mark.postgres
async def test_events_cross_processes_through_postgresql() -> None:
    async with postgres_database() as url:
        await two_buses_exchange_an_event(PostgresEventBus(url), PostgresEventBus(url))


async def test_events_cross_processes_through_redis() -> None:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set; Redis tests skipped")
    await two_buses_exchange_an_event(RedisEventBus(url), RedisEventBus(url))
