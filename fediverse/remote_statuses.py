"""Statuses and marks on them that arrive from other servers: posts, edits, deletions,
boosts, favourites and pins. Every function is idempotent, as deliveries may repeat.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from databases.core import Connection
from sqlalchemy import delete, insert, select, update

from fediverse.ids import now_ms
from fediverse.remote import insert_ignoring_duplicates
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    accounts,
    favourites,
    mentions,
    status_edits,
    status_pins,
    statuses,
    statuses_tags,
    tags,
)


@dataclass(frozen=True, slots=True)
class RemoteStatus:
    """A remote post reduced to the columns of ``statuses`` (content already sanitized)."""

    uri: str
    account_id: int
    content: str
    visibility: str
    created_at: int
    url: str | None = None
    spoiler_text: str = ""
    sensitive: bool = False
    language: str | None = None
    in_reply_to_id: int | None = None
    in_reply_to_account_id: int | None = None
    in_reply_to_uri: str | None = None
    edited_at: int | None = None
    ap_raw: str | None = None
    mentioned_ids: tuple[int, ...] = ()
    tag_names: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class StatusRef:
    id: int
    account_id: int
    local: bool
    local_only: bool
    visibility: str


async def status_by_uri(conn: Connection, uri: str) -> StatusRef | None:
    row = await conn.fetch_one(
        select(
            statuses.c.id,
            statuses.c.account_id,
            statuses.c.local,
            statuses.c.local_only,
            statuses.c.visibility,
        ).where(statuses.c.uri == uri, statuses.c.deleted_at.is_(None))
    )
    if row is None:
        return None
    return StatusRef(int(row[0]), int(row[1]), bool(row[2]), bool(row[3]), str(row[4]))


async def _bump(conn: Connection, status_id: int | None, column: str, step: int) -> None:
    if status_id is None:
        return
    counter = statuses.c[column]
    await conn.execute(
        update(statuses).where(statuses.c.id == status_id).values({counter: counter + step})
    )


async def store_remote_status(store: Store, conn: Connection, status: RemoteStatus) -> int | None:
    """Insert a remote status with its mentions and tags; None if it was there already."""
    status_id = store.new_id()
    rows = await conn.fetch_all(
        insert_ignoring_duplicates(store, statuses)
        .values(**_status_columns(status), id=status_id, local=False, local_only=False)
        .returning(statuses.c.id)
    )
    if not rows:
        return None
    await _add_mentions(store, conn, status_id, status.mentioned_ids)
    await _add_tags(store, conn, status_id, status.tag_names)
    await _bump(conn, status.in_reply_to_id, "replies_count", 1)
    await conn.execute(
        update(accounts)
        .where(accounts.c.id == status.account_id)
        .values(statuses_count=accounts.c.statuses_count + 1, last_status_at=status.created_at)
    )
    return status_id


def _status_columns(status: RemoteStatus) -> dict[str, object]:
    return {
        "uri": status.uri,
        "url": status.url,
        "account_id": status.account_id,
        "content": status.content,
        "spoiler_text": status.spoiler_text,
        "sensitive": status.sensitive,
        "visibility": status.visibility,
        "language": status.language,
        "in_reply_to_id": status.in_reply_to_id,
        "in_reply_to_account_id": status.in_reply_to_account_id,
        "in_reply_to_uri": status.in_reply_to_uri,
        "edited_at": status.edited_at,
        "ap_raw": status.ap_raw,
        "created_at": status.created_at,
    }


async def _add_mentions(
    store: Store, conn: Connection, status_id: int, account_ids: tuple[int, ...]
) -> None:
    for account_id in dict.fromkeys(account_ids):
        await conn.execute(
            insert_ignoring_duplicates(store, mentions).values(
                id=store.new_id(), status_id=status_id, account_id=account_id
            )
        )


async def _add_tags(store: Store, conn: Connection, status_id: int, names: tuple[str, ...]) -> None:
    for display in dict.fromkeys(name.lstrip("#") for name in names if name.lstrip("#")):
        name = display.lower()[:200]
        await conn.execute(
            insert_ignoring_duplicates(store, tags).values(
                id=store.new_id(), name=name, display_name=display[:200], created_at=now_ms()
            )
        )
        tag_id = await conn.fetch_val(select(tags.c.id).where(tags.c.name == name))
        await conn.execute(
            insert_ignoring_duplicates(store, statuses_tags).values(
                status_id=status_id, tag_id=tag_id
            )
        )


async def update_remote_status(store: Store, conn: Connection, status: RemoteStatus) -> bool:
    """Apply an edit; the version it replaces is kept in ``status_edits``. False if unknown
    or not newer than what we have."""
    row = await conn.fetch_one(
        select(
            statuses.c.id,
            statuses.c.text,
            statuses.c.content,
            statuses.c.spoiler_text,
            statuses.c.sensitive,
            statuses.c.edited_at,
            statuses.c.created_at,
        ).where(
            statuses.c.uri == status.uri,
            statuses.c.account_id == status.account_id,
            statuses.c.deleted_at.is_(None),
        )
    )
    if row is None or (status.edited_at or 0) <= (row[5] or row[6]):
        return False
    await conn.execute(
        insert(status_edits).values(
            id=store.new_id(),
            status_id=row[0],
            account_id=status.account_id,
            text=row[1],
            content=row[2],
            spoiler_text=row[3],
            sensitive=row[4],
            created_at=row[5] or row[6],
        )
    )
    await conn.execute(
        update(statuses)
        .where(statuses.c.id == row[0])
        .values(
            content=status.content,
            spoiler_text=status.spoiler_text,
            sensitive=status.sensitive,
            edited_at=status.edited_at,
            ap_raw=status.ap_raw,
        )
    )
    return True


async def delete_remote_status(conn: Connection, uri: str, account_id: int) -> bool:
    """Delete a status of ``account_id`` by uri (its boosts go with it). False if unknown."""
    rows = await conn.fetch_all(
        delete(statuses)
        .where(statuses.c.uri == uri, statuses.c.account_id == account_id)
        .returning(statuses.c.id, statuses.c.in_reply_to_id, statuses.c.reblog_of_id)
    )
    for row in rows:
        await _bump(conn, row[1], "replies_count", -1)
        await _bump(conn, row[2], "reblogs_count", -1)
    if rows:
        await conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(statuses_count=accounts.c.statuses_count - 1)
        )
    return bool(rows)


async def delete_statuses_of(conn: Connection, account_id: int) -> int:
    rows = await conn.fetch_all(
        delete(statuses).where(statuses.c.account_id == account_id).returning(statuses.c.id)
    )
    return len(rows)


async def add_reblog(
    store: Store,
    conn: Connection,
    *,
    account_id: int,
    reblog_of: StatusRef,
    uri: str,
    visibility: str,
    created_at: int,
) -> int | None:
    """A boost by a remote account, as a status row; None if known already."""
    status_id = store.new_id()
    rows = await conn.fetch_all(
        insert_ignoring_duplicates(store, statuses)
        .values(
            id=status_id,
            uri=uri,
            account_id=account_id,
            reblog_of_id=reblog_of.id,
            visibility=visibility,
            local=False,
            local_only=False,
            created_at=created_at,
        )
        .returning(statuses.c.id)
    )
    if not rows:
        return None
    await _bump(conn, reblog_of.id, "reblogs_count", 1)
    return status_id


async def remove_reblog(
    conn: Connection, account_id: int, uri: str | None, of_id: int | None
) -> bool:
    where = statuses.c.uri == uri if uri else statuses.c.reblog_of_id == of_id
    rows = await conn.fetch_all(
        delete(statuses)
        .where(where, statuses.c.account_id == account_id, statuses.c.reblog_of_id.is_not(None))
        .returning(statuses.c.reblog_of_id)
    )
    for row in rows:
        await _bump(conn, row[0], "reblogs_count", -1)
    return bool(rows)


async def add_favourite(
    store: Store, conn: Connection, account_id: int, status_id: int, uri: str | None
) -> int | None:
    rows = await conn.fetch_all(
        insert_ignoring_duplicates(store, favourites)
        .values(
            id=store.new_id(),
            account_id=account_id,
            status_id=status_id,
            uri=uri,
            created_at=now_ms(),
        )
        .returning(favourites.c.id)
    )
    if not rows:
        return None
    await _bump(conn, status_id, "favourites_count", 1)
    return int(rows[0][0])


async def remove_favourite(conn: Connection, account_id: int, status_id: int) -> bool:
    rows = await conn.fetch_all(
        delete(favourites)
        .where(favourites.c.account_id == account_id, favourites.c.status_id == status_id)
        .returning(favourites.c.id)
    )
    if rows:
        await _bump(conn, status_id, "favourites_count", -1)
    return bool(rows)


async def set_pinned(
    store: Store, conn: Connection, account_id: int, status_id: int, pinned: bool
) -> None:
    if not pinned:
        await conn.execute(
            delete(status_pins).where(
                status_pins.c.account_id == account_id, status_pins.c.status_id == status_id
            )
        )
        return
    await conn.execute(
        insert_ignoring_duplicates(store, status_pins).values(
            id=store.new_id(), account_id=account_id, status_id=status_id, created_at=now_ms()
        )
    )
