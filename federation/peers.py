"""What we know of each peer instance: whether it answers, and which signature it takes.

An instance whose deliveries keep failing is marked unavailable; its deliveries then wait
and only one probe an hour goes out, until one succeeds and clears the mark.
"""

from __future__ import annotations

import time

from databases.core import Connection
from sqlalchemy import select, update

from fediverse.ids import now_ms
from fediverse.remote import insert_ignoring_duplicates
from fediverse.storage.database import Store
from fediverse.storage.tables import instances

# Consecutive failed deliveries, over at least this long, before a peer is unavailable.
UNAVAILABLE_AFTER_FAILURES = 8
UNAVAILABLE_AFTER_MS = 3_600_000
PROBE_EVERY_SECONDS = 3_600.0


async def ensure_instance(store: Store, conn: Connection, domain: str) -> None:
    """The peer's row; concurrent deliveries to a new peer may race here, so conflicts pass."""
    now = now_ms()
    await conn.execute(
        insert_ignoring_duplicates(store, instances).values(
            domain=domain, created_at=now, updated_at=now
        )
    )


class Peers:
    """Delivery health per domain, mirrored in memory so that each delivery costs no read."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._unavailable: dict[str, float] = {}  # domain -> monotonic time of the last probe
        self._failing: dict[str, int] = {}  # domain -> unix ms of its first failure in a row
        self._loaded = False

    async def load(self) -> None:
        if self._loaded:
            return
        query = select(instances.c.domain).where(instances.c.unavailable_since.is_not(None))
        async with self._store.read() as conn:
            rows = await conn.fetch_all(query)
        self._unavailable = {str(r[0]): float("-inf") for r in rows}
        self._loaded = True

    def may_try(self, domain: str) -> bool:
        """False while a peer is unavailable, except for one probe an hour."""
        last = self._unavailable.get(domain)
        if last is None:
            return True
        if time.monotonic() - last < PROBE_EVERY_SECONDS:
            return False
        self._unavailable[domain] = time.monotonic()
        return True

    def is_unavailable(self, domain: str) -> bool:
        return domain in self._unavailable

    async def succeeded(self, domain: str) -> None:
        if domain not in self._failing and domain not in self._unavailable:
            return
        self._failing.pop(domain, None)
        self._unavailable.pop(domain, None)
        async with self._store.write() as conn:
            await ensure_instance(self._store, conn, domain)
            await conn.execute(
                update(instances)
                .where(instances.c.domain == domain)
                .values(
                    failure_count=0,
                    unavailable_since=None,
                    last_success_at=now_ms(),
                    updated_at=now_ms(),
                )
            )

    async def failed(self, domain: str) -> None:
        now = now_ms()
        first_failure = self._failing.setdefault(domain, now)
        async with self._store.write() as conn:
            await ensure_instance(self._store, conn, domain)
            rows = await conn.fetch_all(
                update(instances)
                .where(instances.c.domain == domain)
                .values(failure_count=instances.c.failure_count + 1, updated_at=now)
                .returning(instances.c.failure_count, instances.c.last_success_at)
            )
            count, last_success = rows[0][0], rows[0][1]
            quiet_since = max(last_success or 0, first_failure)
            if count >= UNAVAILABLE_AFTER_FAILURES and now - quiet_since >= UNAVAILABLE_AFTER_MS:
                await conn.execute(
                    update(instances)
                    .where(instances.c.domain == domain, instances.c.unavailable_since.is_(None))
                    .values(unavailable_since=now)
                )
                self._unavailable.setdefault(domain, time.monotonic())
