"""What /metrics and `kollegium check` read from the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import insert, update

from fediverse.ids import now_ms
from fediverse.jobs import JobQueue
from fediverse.ops.stats import failing_instances, queue_stats, unavailable_count
from fediverse.storage.database import Store
from fediverse.storage.tables import instances, jobs


async def test_queue_stats__count_by_name_and_state_with_the_oldest_due_age(
    store: Store, queue: JobQueue
) -> None:
    async with store.write() as conn:
        ids = await queue.enqueue_many(conn, [("deliver", {"n": n}) for n in range(4)])
        await queue.enqueue(conn, "federate", {}, delay_ms=60_000)
        await conn.execute(
            update(jobs).where(jobs.c.id == ids[0]).values(run_at=now_ms() - 120_000)
        )
        await conn.execute(update(jobs).where(jobs.c.id == ids[1]).values(attempts=2))
        await conn.execute(update(jobs).where(jobs.c.id == ids[2]).values(state="failed"))
    stats = {s.name: s for s in await queue_stats(store)}
    deliver, federate = stats["deliver"], stats["federate"]
    assert (deliver.queued, deliver.retrying, deliver.failed, deliver.running) == (3, 1, 1, 0)
    assert 119 <= deliver.oldest_due_seconds < 180
    assert (federate.queued, federate.oldest_due_seconds) == (1, 0.0)  # not due yet


async def test_failing_instances__worst_first_and_the_unavailable_counted(store: Store) -> None:
    now = now_ms()
    rows = [
        {"domain": "a.test", "failure_count": 2, "unavailable_since": None},
        {"domain": "b.test", "failure_count": 9, "unavailable_since": now},
        {"domain": "c.test", "failure_count": 0, "unavailable_since": None},
    ]
    async with store.write() as conn:
        await conn.execute(
            insert(instances).values([r | {"created_at": now, "updated_at": now} for r in rows])
        )
    assert [(p.domain, p.failure_count) for p in await failing_instances(store)] == [
        ("b.test", 9),
        ("a.test", 2),
    ]
    assert await unavailable_count(store) == 1
