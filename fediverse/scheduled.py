"""Scheduled statuses: a status kept with its parameters until its time, then posted by a
durable job (enqueued in the same transaction, so a restart loses nothing).

A job carries the time it was made for; moving a scheduled status enqueues a new job, and
the old one, finding another time, does nothing. Posting uses an idempotency key of its own,
so a job run twice (after a crash between posting and cleaning up) posts once.
"""

from __future__ import annotations

import dataclasses
import logging
from functools import partial
from typing import Any

import orjson
from sqlalchemy import delete, func, insert, select, update

from fediverse.errors import NotFoundError, ValidationError
from fediverse.hydrate import Row
from fediverse.ids import now_ms
from fediverse.jobs import JobQueue, JobRegistry
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.polls import NewPoll
from fediverse.runtime import Runtime
from fediverse.statuses import NewStatus, check_status, create_status
from fediverse.storage.database import Store
from fediverse.storage.tables import media_attachments, scheduled_statuses

PUBLISH = "status.scheduled"
log = logging.getLogger(__name__)
MIN_AHEAD_MS = 5 * 60 * 1000  # as Mastodon: at least five minutes ahead
MAX_SCHEDULED = 300
MAX_PER_DAY = 25
DAY_MS = 86_400_000


def _params(new: NewStatus) -> dict[str, Any]:
    """What is kept of a status to post later (what Mastodon shows as ``params``)."""
    return {
        "text": new.text,
        "spoiler_text": new.spoiler_text,
        "sensitive": new.sensitive,
        "visibility": new.visibility,
        "language": new.language,
        "in_reply_to_id": new.in_reply_to_id,
        "poll": dataclasses.asdict(new.poll) if new.poll is not None else None,
        "local_only": new.local_only,
        "application_id": new.application_id,
    }


def new_status_of(row: Row) -> NewStatus:
    p = orjson.loads(row["params"])
    poll = p.get("poll")
    return NewStatus(
        text=p["text"],
        spoiler_text=p["spoiler_text"],
        sensitive=p["sensitive"],
        visibility=p["visibility"],
        language=p["language"],
        in_reply_to_id=p["in_reply_to_id"],
        media_ids=tuple(orjson.loads(row["media_ids"])),
        poll=NewPoll(**{**poll, "options": tuple(poll["options"])}) if poll else None,
        local_only=p["local_only"],
        idempotency_key=f"scheduled-{row['id']}",
        application_id=p["application_id"],
    )


def _check_time(scheduled_at: int) -> None:
    if scheduled_at < now_ms() + MIN_AHEAD_MS:
        raise ValidationError(
            "Validation failed: Scheduled at The scheduled date must be in the future"
        )


async def _check_room(conn: Any, account_id: int, scheduled_at: int, ignore: int | None) -> None:
    mine = scheduled_statuses.c.account_id == account_id
    if ignore is not None:
        mine = mine & (scheduled_statuses.c.id != ignore)
    total = await conn.fetch_val(select(func.count()).select_from(scheduled_statuses).where(mine))
    if total >= MAX_SCHEDULED:
        raise ValidationError(f"Validation failed: at most {MAX_SCHEDULED} scheduled statuses")
    day = scheduled_at - scheduled_at % DAY_MS
    same_day = await conn.fetch_val(
        select(func.count())
        .select_from(scheduled_statuses)
        .where(
            mine,
            scheduled_statuses.c.scheduled_at >= day,
            scheduled_statuses.c.scheduled_at < day + DAY_MS,
        )
    )
    if same_day >= MAX_PER_DAY:
        raise ValidationError(f"Validation failed: at most {MAX_PER_DAY} statuses a day")


async def _enqueue(store: Store, conn: Any, scheduled_id: int, scheduled_at: int) -> None:
    await JobQueue(store).enqueue(
        conn,
        PUBLISH,
        {"id": str(scheduled_id), "at": scheduled_at},
        delay_ms=max(0, scheduled_at - now_ms()),
    )


async def schedule(store: Store, account_id: int, new: NewStatus, scheduled_at: int) -> int:
    """Keep a status to post at ``scheduled_at``; refused as posting it now would be."""
    check_status(new)
    _check_time(scheduled_at)
    scheduled_id = store.new_id()
    async with store.write() as conn:
        if new.media_ids:
            owned = await conn.fetch_val(
                select(func.count())
                .select_from(media_attachments)
                .where(
                    media_attachments.c.id.in_(new.media_ids),
                    media_attachments.c.account_id == account_id,
                    media_attachments.c.status_id.is_(None),
                )
            )
            if owned != len(set(new.media_ids)):
                raise ValidationError(
                    "Validation failed: media_ids names media that cannot be attached"
                )
        await _check_room(conn, account_id, scheduled_at, None)
        await conn.execute(
            insert(scheduled_statuses).values(
                id=scheduled_id,
                account_id=account_id,
                scheduled_at=scheduled_at,
                params=orjson.dumps(_params(new)).decode(),
                media_ids=orjson.dumps(list(new.media_ids)).decode(),
                created_at=now_ms(),
            )
        )
        await _enqueue(store, conn, scheduled_id, scheduled_at)
    return scheduled_id


async def get_scheduled(store: Store, account_id: int, scheduled_id: int) -> Row:
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(scheduled_statuses).where(
                scheduled_statuses.c.id == scheduled_id,
                scheduled_statuses.c.account_id == account_id,
            )
        )
    if row is None:
        raise NotFoundError("Record not found")
    return row._mapping


async def list_scheduled(store: Store, account_id: int, page: PageQuery) -> list[Row]:
    query = select(scheduled_statuses).where(scheduled_statuses.c.account_id == account_id)
    async with store.read() as conn:
        rows = await conn.fetch_all(apply_page(query, scheduled_statuses.c.id, page))
    return newest_first([r._mapping for r in rows], page)


async def reschedule(store: Store, account_id: int, scheduled_id: int, scheduled_at: int) -> Row:
    _check_time(scheduled_at)
    await get_scheduled(store, account_id, scheduled_id)
    async with store.write() as conn:
        await _check_room(conn, account_id, scheduled_at, scheduled_id)
        await conn.execute(
            update(scheduled_statuses)
            .where(scheduled_statuses.c.id == scheduled_id)
            .values(scheduled_at=scheduled_at)
        )
        await _enqueue(store, conn, scheduled_id, scheduled_at)
    return await get_scheduled(store, account_id, scheduled_id)


async def cancel(store: Store, account_id: int, scheduled_id: int) -> None:
    await get_scheduled(store, account_id, scheduled_id)
    async with store.write() as conn:
        await conn.execute(
            delete(scheduled_statuses).where(scheduled_statuses.c.id == scheduled_id)
        )


async def publish(runtime: Runtime, payload: dict[str, Any]) -> None:
    """The job: post the status if it is still scheduled for this job's time."""
    store = runtime.store
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(scheduled_statuses).where(scheduled_statuses.c.id == int(payload["id"]))
        )
    if row is None or row._mapping["scheduled_at"] != payload["at"]:
        return  # cancelled, or moved: the job for the new time posts it
    try:
        await create_status(runtime, row._mapping["account_id"], new_status_of(row._mapping))
    except (ValidationError, NotFoundError):
        # It can no longer be posted (its reply target or media are gone): drop it rather
        # than retry for days, as Mastodon does.
        log.warning("dropped a scheduled status that cannot be posted", extra={"id": row[0]})
    async with store.write() as conn:
        await conn.execute(delete(scheduled_statuses).where(scheduled_statuses.c.id == row[0]))


def register(registry: JobRegistry, runtime: Runtime) -> None:
    registry.register(PUBLISH, partial(publish, runtime))
