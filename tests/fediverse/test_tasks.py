"""Domain jobs: a poll's end notifies once, a timed mute lifts, long home feeds are trimmed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, select, update

from fediverse import tasks
from fediverse.accounts import NewUser, create_user
from fediverse.ids import now_ms
from fediverse.jobs import JobQueue, JobRegistry, Worker
from fediverse.polls import NewPoll, vote
from fediverse.relationships import mute
from fediverse.runtime import Runtime
from fediverse.statuses import NewStatus, create_status
from fediverse.storage.database import Store
from fediverse.storage.tables import home_feed, jobs, mutes, notifications, polls
from tests.conftest import make_settings

BASE = "http://kommun.test"


async def user(store: Store, name: str) -> int:
    created = await create_user(
        store, BASE, NewUser(name, f"{name}@kommun.example", "hemligt-lösen1")
    )
    return created.account_id


def runtime_for(store: Store) -> Runtime:
    return Runtime(make_settings(), store, JobQueue(store))


async def run_due_jobs(store: Store) -> None:
    """One worker cycle over whatever is due, with the domain handlers only."""
    registry = JobRegistry()
    tasks.register(registry, store, Path("/nonexistent"))
    worker = Worker(JobQueue(store), registry, poll_seconds=0.01)
    await worker.run_once()


async def queued(store: Store, name: str) -> list[dict[str, Any]]:
    async with store.read() as conn:
        rows = await conn.fetch_all(select(jobs).where(jobs.c.name == name))
    return [dict(r._mapping) for r in rows]


async def make_due(store: Store, name: str) -> None:
    async with store.write() as conn:
        await conn.execute(update(jobs).where(jobs.c.name == name).values(run_at=now_ms()))


async def poll_notifications(store: Store) -> list[int]:
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(notifications.c.account_id)
            .where(notifications.c.type == "poll")
            .order_by(notifications.c.account_id)
        )
    return [r._mapping["account_id"] for r in rows]


async def test_poll_end__notifies_the_author_and_voters_once(store: Store) -> None:
    author, voter, bystander = [await user(store, n) for n in ("anna", "bert", "cilla")]
    poll = NewPoll(("Ja", "Nej"), expires_in_s=300)
    status_id = await create_status(runtime_for(store), author, NewStatus(text="?", poll=poll))
    async with store.read() as conn:
        poll_id = await conn.fetch_val(select(polls.c.id).where(polls.c.status_id == status_id))
    await vote(store, voter, poll_id, [0])
    [job] = await queued(store, tasks.POLL_ENDED)
    assert job["run_at"] >= now_ms() + 290_000  # scheduled for the poll's end, not now

    await make_due(store, tasks.POLL_ENDED)
    await run_due_jobs(store)
    assert await poll_notifications(store) == []  # not over yet: put off to its real end

    async with store.write() as conn:
        await conn.execute(update(polls).values(expires_at=now_ms() - 1))
    await make_due(store, tasks.POLL_ENDED)
    await run_due_jobs(store)
    assert await poll_notifications(store) == sorted([author, voter])
    assert bystander not in await poll_notifications(store)

    await tasks.end_poll(store, {"poll_id": poll_id})  # a retried job
    assert await poll_notifications(store) == sorted([author, voter])


async def test_poll_end__of_a_deleted_poll_does_nothing(store: Store) -> None:
    await tasks.end_poll(store, {"poll_id": 12345})
    assert await poll_notifications(store) == []


async def test_timed_mute__is_lifted_when_its_time_is_up(store: Store) -> None:
    anna, bert = await user(store, "anna"), await user(store, "bert")
    await mute(store, anna, bert, notifications=True, duration_s=60)
    [job] = await queued(store, tasks.MUTE_EXPIRED)
    await make_due(store, tasks.MUTE_EXPIRED)
    await run_due_jobs(store)
    async with store.read() as conn:
        assert await conn.fetch_val(select(func.count()).select_from(mutes)) == 1  # not yet

    async with store.write() as conn:
        await conn.execute(update(mutes).values(expires_at=now_ms() - 1))
    await tasks.end_mute(store, {"mute_id": _mute_id(job)})
    async with store.read() as conn:
        assert await conn.fetch_val(select(func.count()).select_from(mutes)) == 0


def _mute_id(job: dict[str, Any]) -> int:
    return int(orjson.loads(job["payload"])["mute_id"])


async def test_mute_without_duration__schedules_nothing(store: Store) -> None:
    anna, bert = await user(store, "anna"), await user(store, "bert")
    await mute(store, anna, bert, notifications=True, duration_s=0)
    assert await queued(store, tasks.MUTE_EXPIRED) == []


async def test_remuting__keeps_the_new_mute_when_the_old_one_ends(store: Store) -> None:
    anna, bert = await user(store, "anna"), await user(store, "bert")
    await mute(store, anna, bert, notifications=True, duration_s=60)
    first = _mute_id((await queued(store, tasks.MUTE_EXPIRED))[0])
    await mute(store, anna, bert, notifications=True, duration_s=0)
    await tasks.end_mute(store, {"mute_id": first})
    async with store.read() as conn:
        assert await conn.fetch_val(select(func.count()).select_from(mutes)) == 1


async def feed_length(store: Store, account_id: int) -> int:
    async with store.read() as conn:
        query = select(func.count()).select_from(home_feed)
        return int(await conn.fetch_val(query.where(home_feed.c.account_id == account_id)))


async def test_feed_trim__cuts_long_feeds_to_their_newest_statuses(store: Store) -> None:
    reader, short = await user(store, "anna"), await user(store, "bert")
    too_many = tasks.FEED_LENGTH + tasks.FEED_SLACK + 5
    async with store.write() as conn:
        await conn.execute_many(
            home_feed.insert(),
            [
                {"account_id": reader, "status_id": n, "author_account_id": short}
                for n in range(1, too_many + 1)
            ]
            + [{"account_id": short, "status_id": 1, "author_account_id": short}],
        )
    await tasks.start_feed_trimming(store)
    await tasks.start_feed_trimming(store)  # a second worker start queues no second trim
    assert len(await queued(store, tasks.FEEDS_TRIM)) == 1

    await run_due_jobs(store)
    assert await feed_length(store, reader) == tasks.FEED_LENGTH
    assert await feed_length(store, short) == 1
    async with store.read() as conn:
        oldest = await conn.fetch_val(
            select(func.min(home_feed.c.status_id)).where(home_feed.c.account_id == reader)
        )
    assert oldest == too_many - tasks.FEED_LENGTH + 1  # the newest were kept
    trims = await queued(store, tasks.FEEDS_TRIM)
    assert [t["state"] for t in trims if t["state"] == "queued"] == ["queued"]  # the next run
    assert max(t["run_at"] for t in trims) > now_ms() + tasks.TRIM_EVERY_MS - 60_000
