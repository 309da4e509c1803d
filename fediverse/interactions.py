"""Favourites, reblogs, bookmarks and pins on statuses."""

from __future__ import annotations

from typing import Any

from databases.core import Connection
from sqlalchemy import delete, func, insert, select, update

from fediverse.errors import NotFoundError, ValidationError
from fediverse.feeds import fan_out
from fediverse.hydrate import STATUS_COLUMNS
from fediverse.ids import now_ms
from fediverse.notifications import notify
from fediverse.outgoing import federate
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.runtime import Runtime
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, bookmarks, favourites, status_pins, statuses
from fediverse.urls import status_uri
from fediverse.visibility import can_see

MAX_PINS = 5


async def _visible(conn: Connection, viewer: int, status_id: int) -> Any:
    """The status (the original, when given a reblog) if the viewer may see it."""
    row = await conn.fetch_one(
        select(*STATUS_COLUMNS).where(statuses.c.id == status_id, can_see(viewer))
    )
    if row is None:
        raise NotFoundError("Record not found")
    status = row._mapping
    if status["reblog_of_id"] is not None:
        return await _visible(conn, viewer, status["reblog_of_id"])
    return status


async def _is_remote(conn: Connection, account_id: int) -> bool:
    domain = await conn.fetch_val(select(accounts.c.domain).where(accounts.c.id == account_id))
    return domain is not None


async def _bump(conn: Connection, status_id: int, column: str, delta: int) -> None:
    col = statuses.c[column]
    await conn.execute(
        update(statuses).where(statuses.c.id == status_id).values({col: col + delta})
    )


async def favourite(store: Store, viewer: int, status_id: int) -> int:
    async with store.write() as conn:
        status = await _visible(conn, viewer, status_id)
        done = await conn.fetch_val(
            select(favourites.c.id).where(
                favourites.c.account_id == viewer, favourites.c.status_id == status["id"]
            )
        )
        if done is None:
            favourite_id = store.new_id()
            await conn.execute(
                insert(favourites).values(
                    id=favourite_id, account_id=viewer, status_id=status["id"], created_at=now_ms()
                )
            )
            await _bump(conn, status["id"], "favourites_count", 1)
            await notify(
                store,
                conn,
                account_id=status["account_id"],
                from_account_id=viewer,
                type="favourite",
                status_id=status["id"],
            )
            if await _is_remote(conn, status["account_id"]):
                await federate(store, conn, "favourite", favourite_id=favourite_id)
        return int(status["id"])


async def unfavourite(store: Store, viewer: int, status_id: int) -> int:
    async with store.write() as conn:
        status = await _visible(conn, viewer, status_id)
        gone = await conn.fetch_all(
            delete(favourites)
            .where(favourites.c.account_id == viewer, favourites.c.status_id == status["id"])
            .returning(favourites.c.uri)
        )
        if gone:
            await _bump(conn, status["id"], "favourites_count", -1)
            if await _is_remote(conn, status["account_id"]):
                await federate(
                    store,
                    conn,
                    "unfavourite",
                    account_id=viewer,
                    status_id=status["id"],
                    uri=gone[0]._mapping["uri"],
                )
        return int(status["id"])


async def reblog(runtime: Runtime, viewer: int, status_id: int, visibility: str | None) -> int:
    """Boost a public or unlisted status; returns the reblog's own status id."""
    store = runtime.store
    async with store.write() as conn:
        status = await _visible(conn, viewer, status_id)
        if status["visibility"] not in ("public", "unlisted"):
            raise ValidationError(
                "Validation failed: Reblog of private or direct status is not allowed"
            )
        existing = await conn.fetch_val(
            select(statuses.c.id).where(
                statuses.c.reblog_of_id == status["id"], statuses.c.account_id == viewer
            )
        )
        if existing is not None:
            return int(existing)
        return await _new_reblog(runtime, conn, viewer, status, visibility or "public")


async def _new_reblog(
    runtime: Runtime, conn: Connection, viewer: int, status: Any, visibility: str
) -> int:
    store, base_url = runtime.store, runtime.settings.base_url
    if visibility not in ("public", "unlisted", "private"):
        raise ValidationError("Validation failed: Visibility must be public, unlisted or private")
    username = await conn.fetch_val(select(accounts.c.username).where(accounts.c.id == viewer))
    reblog_id, now = store.new_id(), now_ms()
    await conn.execute(
        insert(statuses).values(
            id=reblog_id,
            account_id=viewer,
            uri=status_uri(base_url, username, reblog_id) + "/activity",
            local=True,
            reblog_of_id=status["id"],
            visibility=visibility,
            local_only=status["local_only"],
            created_at=now,
        )
    )
    await fan_out(conn, reblog_id, viewer, visibility=visibility, reblog=True)
    await _bump(conn, status["id"], "reblogs_count", 1)
    await notify(
        store,
        conn,
        account_id=status["account_id"],
        from_account_id=viewer,
        type="reblog",
        status_id=status["id"],
    )
    if not status["local_only"]:
        await federate(store, conn, "reblog", status_id=reblog_id)
    return reblog_id


async def unreblog(store: Store, viewer: int, status_id: int) -> int:
    async with store.write() as conn:
        status = await _visible(conn, viewer, status_id)
        gone = await conn.fetch_all(
            delete(statuses)
            .where(statuses.c.reblog_of_id == status["id"], statuses.c.account_id == viewer)
            .returning(statuses.c.uri)
        )
        if gone:
            await _bump(conn, status["id"], "reblogs_count", -1)
            if not status["local_only"]:
                await federate(
                    store,
                    conn,
                    "unreblog",
                    account_id=viewer,
                    status_id=status["id"],
                    uri=gone[0]._mapping["uri"],
                )
        return int(status["id"])


async def _mark(store: Store, table: Any, viewer: int, status_id: int, on: bool) -> int:
    async with store.write() as conn:
        status = await _visible(conn, viewer, status_id)
        where = (table.c.account_id == viewer, table.c.status_id == status["id"])
        await conn.execute(delete(table).where(*where))
        if on:
            await conn.execute(
                insert(table).values(
                    id=store.new_id(),
                    account_id=viewer,
                    status_id=status["id"],
                    created_at=now_ms(),
                )
            )
        return int(status["id"])


async def bookmark(store: Store, viewer: int, status_id: int) -> int:
    return await _mark(store, bookmarks, viewer, status_id, True)


async def unbookmark(store: Store, viewer: int, status_id: int) -> int:
    return await _mark(store, bookmarks, viewer, status_id, False)


async def pin(store: Store, viewer: int, status_id: int) -> int:
    async with store.read() as conn:
        status = await _visible(conn, viewer, status_id)
        count = await conn.fetch_val(
            select(func.count()).select_from(status_pins).where(status_pins.c.account_id == viewer)
        )
    if status["account_id"] != viewer or status["visibility"] not in (
        "public",
        "unlisted",
        "private",
    ):
        raise ValidationError(
            "Validation failed: You can only pin your own public, unlisted or private posts"
        )
    if count >= MAX_PINS:
        raise ValidationError(f"Validation failed: You can pin at most {MAX_PINS} posts")
    return await _mark(store, status_pins, viewer, status_id, True)


async def unpin(store: Store, viewer: int, status_id: int) -> int:
    return await _mark(store, status_pins, viewer, status_id, False)


async def favourited_by(
    store: Store, viewer: int | None, status_id: int, page: PageQuery
) -> list[tuple[int, int]]:
    """(favourite id, account id) pairs, newest first, for a status the viewer may see."""
    query = select(favourites.c.id, favourites.c.account_id).where(
        favourites.c.status_id == status_id
    )
    return await _who_page(store, viewer, status_id, query, favourites.c.id, page)


async def reblogged_by(
    store: Store, viewer: int | None, status_id: int, page: PageQuery
) -> list[tuple[int, int]]:
    """(reblog id, account id) pairs, newest first, for a status the viewer may see."""
    query = select(statuses.c.id, statuses.c.account_id).where(statuses.c.reblog_of_id == status_id)
    return await _who_page(store, viewer, status_id, query, statuses.c.id, page)


async def _who_page(
    store: Store, viewer: int | None, status_id: int, query: Any, key: Any, page: PageQuery
) -> list[tuple[int, int]]:
    """One page of ``query``'s (id, account id) pairs, 404 unless the viewer sees the status."""
    visible = select(statuses.c.id).where(statuses.c.id == status_id, can_see(viewer))
    async with store.read() as conn:
        if await conn.fetch_val(visible) is None:
            raise NotFoundError("Record not found")
        rows = await conn.fetch_all(apply_page(query, key, page))
    return [(r[0], r[1]) for r in newest_first(rows, page)]
