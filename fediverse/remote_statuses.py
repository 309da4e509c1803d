"""Statuses and marks on them that arrive from other servers: posts, edits, deletions,
boosts, favourites and pins. Every function is idempotent, as deliveries may repeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from databases.core import Connection
from sqlalchemy import delete, insert, select, update

from fediverse.ids import now_ms
from fediverse.rawsql import Raw
from fediverse.remote import insert_ignoring_duplicates
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    accounts,
    favourites,
    status_edits,
    status_pins,
    statuses,
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


_BY_URI = (
    "SELECT id, account_id, local, local_only, visibility FROM statuses "
    "WHERE uri = ? AND deleted_at IS NULL LIMIT 1"
)


async def status_by_uri(conn: Connection, uri: str) -> StatusRef | None:
    rows = await Raw(conn).rows(_BY_URI, ("id", "account_id", "local", "local_only", "v"), uri)
    if not rows:
        return None
    row = rows[0]
    return StatusRef(
        int(row["id"]),
        int(row["account_id"]),
        bool(row["local"]),
        bool(row["local_only"]),
        str(row["v"]),
    )


async def _bump(conn: Connection, status_id: int | None, column: str, step: int) -> None:
    if status_id is None:
        return
    counter = statuses.c[column]
    await conn.execute(
        update(statuses).where(statuses.c.id == status_id).values({counter: counter + step})
    )


_COLUMNS = (
    "id", "uri", "url", "account_id", "content", "spoiler_text", "sensitive", "visibility",
    "language", "in_reply_to_id", "in_reply_to_account_id", "in_reply_to_uri", "edited_at",
    "ap_raw", "created_at", "local", "local_only",
)  # fmt: skip
_INSERT = (
    "INSERT INTO statuses (id, uri, url, account_id, content, spoiler_text, sensitive, "
    "visibility, language, in_reply_to_id, in_reply_to_account_id, in_reply_to_uri, edited_at, "
    "ap_raw, created_at, local, local_only) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"
)
_MENTION = (
    "INSERT INTO mentions (id, status_id, account_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
)
_TAG = (
    "INSERT INTO tags (id, name, display_name, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"
)
_TAGGED = (
    "INSERT INTO statuses_tags (status_id, tag_id) SELECT ?, id FROM tags WHERE name = ? "
    "ON CONFLICT DO NOTHING"
)
_REPLY = "UPDATE statuses SET replies_count = replies_count + 1 WHERE id = ?"
_AUTHOR = "UPDATE accounts SET statuses_count = statuses_count + 1, last_status_at = ? WHERE id = ?"
Statement = tuple[str, Sequence[object]]


def remote_status_insert(status: RemoteStatus, status_id: int) -> Statement:
    """The INSERT ... RETURNING of a remote status; it makes no row if the status is known."""
    values = {**_status_columns(status), "id": status_id, "local": False, "local_only": False}
    return _INSERT, [values[c] for c in _COLUMNS]


def remote_status_statements(store: Store, status: RemoteStatus, status_id: int) -> list[Statement]:
    """What goes with a new remote status: its mentions, tags and counters, to run in one
    batch after its insert made a row."""
    statements: list[Statement] = [
        (_MENTION, [store.new_id(), status_id, account_id])
        for account_id in dict.fromkeys(status.mentioned_ids)
    ]
    for display in dict.fromkeys(n.lstrip("#")[:200] for n in status.tag_names if n.lstrip("#")):
        statements.append((_TAG, [store.new_id(), display.lower(), display, now_ms()]))
        statements.append((_TAGGED, [status_id, display.lower()]))
    if status.in_reply_to_id is not None:
        statements.append((_REPLY, [status.in_reply_to_id]))
    statements.append((_AUTHOR, [status.created_at, status.account_id]))
    return statements


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
    if row is None or status.edited_at is None:
        return False
    # Newer than the last edit we have. Not compared with the status's creation: times in
    # activities are to the second, so an edit within a second of the post would be lost.
    if row[5] is not None and status.edited_at <= row[5]:
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
