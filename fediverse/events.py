"""Events between processes: what happened (a status was posted, a notification made), for
the streaming API to pass on to connected clients, whichever process holds them.

Three backends behind one interface: in memory (one process), PostgreSQL LISTEN/NOTIFY
(every process on one database) and Redis pub/sub (when ``KOLLEGIUM_REDIS_URL`` is set).
Events are small JSON objects naming ids; subscribers load what they show. Publish after
the transaction that made the data has committed, so a subscriber can read it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from fediverse.errors import ValidationError
from fediverse.storage.database import driver_url

CHANNEL = "kollegium_events"
MAX_EVENT_BYTES = 7_000  # PostgreSQL NOTIFY payloads stop at 8,000 bytes
QUEUE_SIZE = 1_000
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Event:
    """``topic`` says who may care (``timeline:public``, ``user:123``, ``hashtag:skola``)."""

    topic: str
    name: str
    data: dict[str, Any]


def encode(event: Event) -> str:
    text = orjson.dumps({"t": event.topic, "n": event.name, "d": event.data}).decode()
    if len(text.encode()) > MAX_EVENT_BYTES:
        raise ValidationError(f"an event may be at most {MAX_EVENT_BYTES} bytes; send ids")
    return text


def decode(text: str | bytes) -> Event:
    raw = orjson.loads(text)
    return Event(raw["t"], raw["n"], raw["d"])


class Subscription:
    """Events for a set of topics, in order; a consumer that falls behind loses the oldest."""

    def __init__(self, bus: EventBus, topics: set[str]) -> None:
        self.topics = set(topics)
        self.dropped = 0
        self._bus = bus
        self._queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, event: Event) -> None:
        if event.topic not in self.topics:
            return
        if self._queue.full():
            self._queue.get_nowait()  # a slow client must not hold memory without bound
            self.dropped += 1
        self._queue.put_nowait(event)

    async def get(self) -> Event:
        return await self._queue.get()

    def close(self) -> None:
        self._bus.unsubscribe(self)


class EventBus:
    """Delivers events to this process's subscriptions; subclasses carry them between processes."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, event: Event) -> None:
        encode(event)  # the same size rule everywhere, so nothing works only in memory
        self.deliver(event)

    def deliver(self, event: Event) -> None:
        for subscription in tuple(self._subscriptions):
            subscription.offer(event)

    def subscribe(self, topics: set[str]) -> Subscription:
        subscription = Subscription(self, topics)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions)


class _Listener(Protocol):
    async def close(self) -> None: ...


class PostgresEventBus(EventBus):
    """NOTIFY to publish; one LISTEN connection per process receives every process's events."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self._url = database_url
        self._listener: Any = None
        self._publisher: Any = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        import asyncpg

        url = driver_url(self._url)  # asyncpg.connect knows nothing of the pool's options
        self._listener = await asyncpg.connect(url)
        await self._listener.add_listener(CHANNEL, self._on_notify)
        self._publisher = await asyncpg.connect(url)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            self.deliver(decode(payload))
        except (ValueError, KeyError):
            log.warning("ignored a malformed event", extra={"payload": payload[:200]})

    async def publish(self, event: Event) -> None:
        text = encode(event)
        async with self._lock:  # one asyncpg connection runs one query at a time
            await self._publisher.execute("SELECT pg_notify($1, $2)", CHANNEL, text)

    async def stop(self) -> None:
        for connection in (self._listener, self._publisher):
            if connection is not None:
                await connection.close()
        self._listener = self._publisher = None


class RedisEventBus(EventBus):
    """Redis pub/sub: publish on one channel, one reader task per process."""

    def __init__(self, redis_url: str) -> None:
        super().__init__()
        self._url = redis_url
        self._client: Any = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        import redis.asyncio as redis

        self._client = redis.from_url(self._url)
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(CHANNEL)
        self._reader = asyncio.create_task(self._read(pubsub))

    async def _read(self, pubsub: Any) -> None:
        try:
            async for message in _messages(pubsub):
                self._deliver_raw(message)
        finally:
            await pubsub.aclose()

    def _deliver_raw(self, payload: bytes) -> None:
        try:
            self.deliver(decode(payload))
        except (ValueError, KeyError):
            log.warning("ignored a malformed event", extra={"payload": payload[:200]})

    async def publish(self, event: Event) -> None:
        await self._client.publish(CHANNEL, encode(event))

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._client is not None:
            await self._client.aclose()
        self._reader = self._client = None


async def _messages(pubsub: Any) -> AsyncIterator[bytes]:
    async for message in pubsub.listen():
        if message.get("type") == "message":
            yield message["data"]


def build_event_bus(database_url: str, redis_url: str | None) -> EventBus:
    """Redis when configured, else PostgreSQL's own LISTEN/NOTIFY, else this process only."""
    if redis_url:
        return RedisEventBus(redis_url)
    if database_url.startswith("postgresql:"):
        return PostgresEventBus(database_url)
    return EventBus()
