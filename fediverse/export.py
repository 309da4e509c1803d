"""Everything a user wrote and chose, as one JSON document they may download (GDPR art. 20)."""

from __future__ import annotations

from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import select

from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    accounts,
    bookmarks,
    favourites,
    follows,
    media_attachments,
    statuses,
    users,
)

FORMAT = "kollegium-export/1"


def _plain(row: Any, query: Any) -> dict[str, Any]:
    """A row as a dict keyed by the names of the query's columns."""
    return {str(c.name): row[c.name] for c in query.selected_columns}


async def _profile(conn: Connection, account_id: int) -> dict[str, Any]:
    query = (
        select(
            accounts.c.username,
            accounts.c.display_name,
            accounts.c.note_source,
            accounts.c.fields,
            accounts.c.title,
            accounts.c.uri,
            accounts.c.created_at,
            users.c.email,
            users.c.locale,
            users.c.settings,
        )
        .join(users, users.c.account_id == accounts.c.id)
        .where(accounts.c.id == account_id)
    )
    row = await conn.fetch_one(query)
    assert row is not None
    m = _plain(row, query)
    m["fields"] = orjson.loads(m["fields"] or "[]")
    m["settings"] = orjson.loads(m["settings"] or "{}")
    return m


async def _statuses(conn: Connection, account_id: int) -> list[dict[str, Any]]:
    query = (
        select(
            statuses.c.id,
            statuses.c.uri,
            statuses.c.created_at,
            statuses.c.text,
            statuses.c.spoiler_text,
            statuses.c.visibility,
            statuses.c.local_only,
            statuses.c.in_reply_to_uri,
            statuses.c.reblog_of_id,
            statuses.c.edited_at,
        )
        .where(statuses.c.account_id == account_id, statuses.c.deleted_at.is_(None))
        .order_by(statuses.c.id)
    )
    rows = await conn.fetch_all(query)
    return [{**_plain(r, query), "id": str(r["id"])} for r in rows]


async def _uris(conn: Connection, query: Any) -> list[str]:
    return [str(r[0]) for r in await conn.fetch_all(query)]


async def _media(conn: Connection, account_id: int) -> list[dict[str, Any]]:
    rows = await conn.fetch_all(
        select(
            media_attachments.c.id,
            media_attachments.c.file_path,
            media_attachments.c.description,
            media_attachments.c.status_id,
        ).where(media_attachments.c.account_id == account_id)
    )
    return [
        {
            "id": str(r[0]),
            "file": r[1],
            "description": r[2],
            "status_id": str(r[3]) if r[3] else None,
        }
        for r in rows
    ]


async def export_account(store: Store, account_id: int) -> dict[str, Any]:
    """The user's profile, settings, posts, media, follows, favourites and bookmarks."""
    target = accounts.c.uri
    async with store.read() as conn:
        return {
            "format": FORMAT,
            "exported_at": now_ms(),
            "profile": await _profile(conn, account_id),
            "statuses": await _statuses(conn, account_id),
            "media": await _media(conn, account_id),
            "following": await _uris(
                conn,
                select(target)
                .join(follows, follows.c.target_account_id == accounts.c.id)
                .where(follows.c.account_id == account_id),
            ),
            "followers": await _uris(
                conn,
                select(target)
                .join(follows, follows.c.account_id == accounts.c.id)
                .where(follows.c.target_account_id == account_id),
            ),
            "favourites": await _uris(
                conn,
                select(statuses.c.uri)
                .join(favourites, favourites.c.status_id == statuses.c.id)
                .where(favourites.c.account_id == account_id),
            ),
            "bookmarks": await _uris(
                conn,
                select(statuses.c.uri)
                .join(bookmarks, bookmarks.c.status_id == statuses.c.id)
                .where(bookmarks.c.account_id == account_id),
            ),
        }
