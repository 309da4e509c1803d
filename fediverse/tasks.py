"""Domain work that runs later, in the worker: a large upload's processing, a poll's end, a
timed mute's end, and keeping home feeds to a fixed length.

Each is a durable job, enqueued in the transaction of the change that schedules it (a poll
is created, a mute is set), so a restart between the two loses nothing. The feed trim is
one recurring job: each run enqueues the next.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from databases.core import Connection
from sqlalchemy import delete, func, select

from fediverse.ids import now_ms
from fediverse.jobs import JobQueue, JobRegistry
from fediverse.media import PROCESS_MEDIA, process_later
from fediverse.notifications import notify
from fediverse.rawsql import Raw
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, jobs, mutes, notifications, poll_votes, polls

POLL_ENDED = "poll.ended"
MUTE_EXPIRED = "mute.expired"
FEEDS_TRIM = "feeds.trim"

FEED_LENGTH = 800  # statuses kept per home feed, as Mastodon keeps in Redis
FEED_SLACK = 100  # a feed is trimmed once it is this much longer, so trims come in batches
TRIM_EVERY_MS = 15 * 60 * 1000


async def schedule(
    store: Store, conn: Connection, name: str, payload: dict[str, Any], at: int
) -> None:
    """Enqueue ``name`` to run at ``at`` (ms since the epoch), inside ``conn``'s transaction."""
    await JobQueue(store).enqueue(conn, name, payload, delay_ms=max(0, at - now_ms()))


async def end_poll(store: Store, payload: dict[str, Any]) -> None:
    """Tell the poll's local author and local voters that it has ended, once."""
    async with store.write() as conn:
        poll = await conn.fetch_one(select(polls).where(polls.c.id == int(payload["poll_id"])))
        if poll is None:
            return  # the status was deleted, or its poll replaced by an edit
        row = poll._mapping
        if row["expires_at"] > now_ms():
            await schedule(store, conn, POLL_ENDED, payload, row["expires_at"])
            return
        if await _already_told(conn, row["status_id"]):
            return
        for account_id in await _local_audience(conn, row["id"], row["account_id"]):
            await notify(
                store,
                conn,
                account_id=account_id,
                from_account_id=row["account_id"],
                type="poll",
                status_id=row["status_id"],
                own=account_id == row["account_id"],
            )


async def _already_told(conn: Connection, status_id: int) -> bool:
    """A retried job must not notify twice."""
    found = await conn.fetch_val(
        select(func.count())
        .select_from(notifications)
        .where(notifications.c.type == "poll", notifications.c.status_id == status_id)
    )
    return bool(found)


async def _local_audience(conn: Connection, poll_id: int, author_id: int) -> list[int]:
    voters = select(poll_votes.c.account_id).where(poll_votes.c.poll_id == poll_id)
    rows = await conn.fetch_all(
        select(accounts.c.id)
        .where(accounts.c.domain.is_(None))
        .where((accounts.c.id == author_id) | accounts.c.id.in_(voters))
        .order_by(accounts.c.id)
    )
    return [int(r._mapping["id"]) for r in rows]


async def end_mute(store: Store, payload: dict[str, Any]) -> None:
    """Lift a timed mute whose time is up; a mute set again since then stays."""
    async with store.write() as conn:
        await conn.execute(
            delete(mutes).where(
                mutes.c.id == int(payload["mute_id"]),
                mutes.c.expires_at.is_not(None),
                mutes.c.expires_at <= now_ms(),
            )
        )


_LONG_FEEDS = "SELECT account_id FROM home_feed GROUP BY account_id HAVING COUNT(*) > ?"
_NTH_NEWEST = (
    "SELECT status_id FROM home_feed WHERE account_id = ? ORDER BY status_id DESC LIMIT 1 OFFSET ?"
)
_TRIM = "DELETE FROM home_feed WHERE account_id = ? AND status_id < ?"


async def trim_feeds(store: Store, payload: dict[str, Any]) -> None:
    """Cut every home feed longer than FEED_LENGTH + FEED_SLACK back to FEED_LENGTH; then
    schedule the next run. Older pages of the home timeline are then past its end, as in
    Mastodon."""
    async with store.read() as conn:
        long_feeds = await Raw(conn).rows(_LONG_FEEDS, ["account_id"], FEED_LENGTH + FEED_SLACK)
    for feed in long_feeds:
        account_id = feed["account_id"]
        async with store.write() as conn:
            raw = Raw(conn)
            kept = await raw.rows(_NTH_NEWEST, ["status_id"], account_id, FEED_LENGTH - 1)
            if kept:
                await raw.execute(_TRIM, account_id, kept[0]["status_id"])
    async with store.write() as conn:
        await schedule(store, conn, FEEDS_TRIM, {}, now_ms() + TRIM_EVERY_MS)


async def start_feed_trimming(store: Store) -> None:
    """Make sure one feed trim is queued; called when a worker starts."""
    async with store.write() as conn:
        queued = await conn.fetch_val(
            select(func.count())
            .select_from(jobs)
            .where(jobs.c.name == FEEDS_TRIM, jobs.c.state.in_(("queued", "running")))
        )
        if not queued:
            await schedule(store, conn, FEEDS_TRIM, {}, now_ms())


def register(registry: JobRegistry, store: Store, media_dir: Path) -> None:
    registry.register(PROCESS_MEDIA, partial(process_later, store, media_dir))
    registry.register(POLL_ENDED, partial(end_poll, store))
    registry.register(MUTE_EXPIRED, partial(end_mute, store))
    registry.register(FEEDS_TRIM, partial(trim_feeds, store))
