"""Facts about a running instance, read from the database: the queue, peers, keys.

Both ``kollegium check`` and ``/metrics`` read these at the moment they are asked, so any
process on any machine gives the same answer and nothing is kept in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, literal_column, select

from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, instances, jobs

FAILING_INSTANCES_SHOWN = 50


@dataclass(frozen=True, slots=True)
class QueueStats:
    """Jobs of one name: how many wait, run, retry and failed; the oldest due job's age."""

    name: str
    queued: int
    running: int
    retrying: int
    failed: int
    oldest_due_seconds: float


@dataclass(frozen=True, slots=True)
class FailingInstance:
    domain: str
    failure_count: int
    unavailable_since: int | None


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    # Literal 1 and 0: as bound parameters PostgreSQL would see text and refuse sum(text).
    return func.sum(case((condition, literal_column("1")), else_=literal_column("0")))


async def queue_stats(store: Store) -> list[QueueStats]:
    """One line per job name present in the table."""
    now = now_ms()
    due = and_(jobs.c.state == "queued", jobs.c.run_at <= now)
    query = (
        select(
            jobs.c.name,
            _count_where(jobs.c.state == "queued"),
            _count_where(jobs.c.state == "running"),
            _count_where(and_(jobs.c.state == "queued", jobs.c.attempts > 0)),
            _count_where(jobs.c.state == "failed"),
            func.min(case((due, jobs.c.run_at), else_=None)),
        )
        .group_by(jobs.c.name)
        .order_by(jobs.c.name)
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(query)
    return [
        QueueStats(
            str(r[0]),
            int(r[1] or 0),
            int(r[2] or 0),
            int(r[3] or 0),
            int(r[4] or 0),
            max(0.0, (now - int(r[5])) / 1000) if r[5] is not None else 0.0,
        )
        for r in rows
    ]


async def failing_instances(
    store: Store, limit: int = FAILING_INSTANCES_SHOWN
) -> list[FailingInstance]:
    """Peers whose last deliveries failed, the longest-failing first."""
    query = (
        select(instances.c.domain, instances.c.failure_count, instances.c.unavailable_since)
        .where(instances.c.failure_count > 0)
        .order_by(instances.c.failure_count.desc(), instances.c.domain)
        .limit(limit)
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(query)
    return [FailingInstance(str(r[0]), int(r[1]), r[2]) for r in rows]


async def unavailable_count(store: Store) -> int:
    query = (
        select(func.count())
        .select_from(instances)
        .where(instances.c.unavailable_since.is_not(None))
    )
    async with store.read() as conn:
        return int(await conn.fetch_val(query) or 0)


async def instance_actor_has_keys(store: Store, domain: str) -> bool:
    """Whether the instance actor exists with its private key (``kollegium init`` makes it)."""
    query = select(accounts.c.private_key_pem).where(
        accounts.c.username == domain, accounts.c.domain.is_(None)
    )
    async with store.read() as conn:
        pem = await conn.fetch_val(query)
    return isinstance(pem, str) and pem.startswith("-----BEGIN")
