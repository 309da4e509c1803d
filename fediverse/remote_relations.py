"""Relations that other servers start or end: follows, follow requests and blocks.

Every function is idempotent, as deliveries may repeat.
"""

from __future__ import annotations

from databases.core import Connection
from sqlalchemy import Table, delete, select, update

from fediverse.feeds import forget
from fediverse.ids import now_ms
from fediverse.remote import insert_ignoring_duplicates
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, blocks, follow_requests, follows


async def _insert_pair(
    store: Store, conn: Connection, table: Table, account_id: int, target_id: int, uri: str | None
) -> int | None:
    """Insert a relation row; None when it existed already."""
    rows = await conn.fetch_all(
        insert_ignoring_duplicates(store, table)
        .values(
            id=store.new_id(),
            account_id=account_id,
            target_account_id=target_id,
            uri=uri,
            created_at=now_ms(),
        )
        .returning(table.c.id)
    )
    return int(rows[0][0]) if rows else None


async def _delete_pair(conn: Connection, table: Table, account_id: int, target_id: int) -> bool:
    rows = await conn.fetch_all(
        delete(table)
        .where(table.c.account_id == account_id, table.c.target_account_id == target_id)
        .returning(table.c.id)
    )
    return bool(rows)


async def _count(conn: Connection, account_id: int, column: str, step: int) -> None:
    counter = accounts.c[column]
    await conn.execute(
        update(accounts).where(accounts.c.id == account_id).values({counter: counter + step})
    )


async def add_follow(
    store: Store, conn: Connection, account_id: int, target_id: int, uri: str | None
) -> int | None:
    """``account_id`` now follows ``target_id``; None if it did already."""
    follow_id = await _insert_pair(store, conn, follows, account_id, target_id, uri)
    if follow_id is not None:
        await _count(conn, account_id, "following_count", 1)
        await _count(conn, target_id, "followers_count", 1)
    return follow_id


async def remove_follow(conn: Connection, account_id: int, target_id: int) -> bool:
    removed = await _delete_pair(conn, follows, account_id, target_id)
    if removed:
        await _count(conn, account_id, "following_count", -1)
        await _count(conn, target_id, "followers_count", -1)
    return removed


async def add_follow_request(
    store: Store, conn: Connection, account_id: int, target_id: int, uri: str | None
) -> int | None:
    return await _insert_pair(store, conn, follow_requests, account_id, target_id, uri)


async def remove_follow_request(conn: Connection, account_id: int, target_id: int) -> bool:
    return await _delete_pair(conn, follow_requests, account_id, target_id)


async def accept_follow_request(
    store: Store, conn: Connection, account_id: int, target_id: int
) -> int | None:
    """Turn a follow request into a follow (keeping the Follow's uri); None if none pending."""
    uri = await conn.fetch_val(
        select(follow_requests.c.uri).where(
            follow_requests.c.account_id == account_id,
            follow_requests.c.target_account_id == target_id,
        )
    )
    if not await remove_follow_request(conn, account_id, target_id):
        return None
    return await add_follow(store, conn, account_id, target_id, uri)


async def follow_pair_by_uri(conn: Connection, uri: str) -> tuple[int, int] | None:
    """(follower, followed) of a pending or accepted follow by its Follow activity's id."""
    for table in (follow_requests, follows):
        row = await conn.fetch_one(
            select(table.c.account_id, table.c.target_account_id).where(table.c.uri == uri)
        )
        if row is not None:
            return int(row[0]), int(row[1])
    return None


async def is_following(conn: Connection, account_id: int, target_id: int) -> bool:
    found = await conn.fetch_val(
        select(follows.c.id).where(
            follows.c.account_id == account_id, follows.c.target_account_id == target_id
        )
    )
    return found is not None


async def add_block(
    store: Store, conn: Connection, account_id: int, target_id: int, uri: str | None
) -> int | None:
    """A block ends follows both ways, as in Mastodon."""
    block_id = await _insert_pair(store, conn, blocks, account_id, target_id, uri)
    for a, b in ((account_id, target_id), (target_id, account_id)):
        await remove_follow(conn, a, b)
        await remove_follow_request(conn, a, b)
        await forget(conn, a, b)
    return block_id


async def remove_block(conn: Connection, account_id: int, target_id: int) -> bool:
    return await _delete_pair(conn, blocks, account_id, target_id)


async def is_blocked_by(conn: Connection, account_id: int, by_account_id: int) -> bool:
    found = await conn.fetch_val(
        select(blocks.c.id).where(
            blocks.c.account_id == by_account_id, blocks.c.target_account_id == account_id
        )
    )
    return found is not None


async def local_followers_of(conn: Connection, account_id: int) -> list[int]:
    query = (
        select(follows.c.account_id)
        .select_from(follows.join(accounts, accounts.c.id == follows.c.account_id))
        .where(follows.c.target_account_id == account_id, accounts.c.domain.is_(None))
    )
    return [int(r[0]) for r in await conn.fetch_all(query)]


async def has_local_followers(conn: Connection, account_id: int) -> bool:
    query = (
        select(follows.c.id)
        .select_from(follows.join(accounts, accounts.c.id == follows.c.account_id))
        .where(follows.c.target_account_id == account_id, accounts.c.domain.is_(None))
        .limit(1)
    )
    return await conn.fetch_val(query) is not None
