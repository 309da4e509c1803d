"""Reading our own accounts and statuses in the shapes the ActivityPub serializers need.

Each loader makes a fixed number of queries, whatever it loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import func, select

from fediverse.storage.tables import (
    accounts,
    departments,
    follows,
    media_attachments,
    mentions,
    status_pins,
    statuses,
    statuses_tags,
    tags,
)


@dataclass(frozen=True, slots=True)
class LocalActor:
    """A local account with what its actor document shows."""

    row: dict[str, Any]
    department: str | None
    avatar: tuple[str, str] | None
    header: tuple[str, str] | None


@dataclass(frozen=True, slots=True)
class LoadedStatus:
    """A status with its author, mentions, tags, parent and media, ready to serialize."""

    row: dict[str, Any]
    author: dict[str, Any]
    mentions: list[tuple[str, str]]  # (actor uri, @user@domain)
    tags: list[str]
    parent_uri: str | None
    reblog_of_uri: str | None
    media: list[dict[str, Any]]
    group_uri: str | None = None  # the group the post was for (FEP-1b12 ``audience``)


async def local_actor(
    conn: Connection, username: str, base_url: str, *, suspended: bool = False
) -> LocalActor | None:
    """A local account, or None when there is none; a suspended one only when ``suspended``
    (its actor document is still served, as Mastodon serves it; nothing else of it is)."""
    row = await conn.fetch_one(
        select(accounts).where(
            func.lower(accounts.c.username) == username.lower(), accounts.c.domain.is_(None)
        )
    )
    if row is None or (row._mapping["suspended_at"] is not None and not suspended):
        return None
    data = dict(row._mapping)
    department = None
    if data["department_id"] is not None:
        department = await conn.fetch_val(
            select(departments.c.name).where(departments.c.id == data["department_id"])
        )
    avatar = await _media_url(conn, data["avatar_media_id"], base_url)
    header = await _media_url(conn, data["header_media_id"], base_url)
    return LocalActor(data, department, avatar, header)


async def _media_url(
    conn: Connection, media_id: int | None, base_url: str
) -> tuple[str, str] | None:
    if media_id is None:
        return None
    row = await conn.fetch_one(
        select(media_attachments.c.file_path, media_attachments.c.content_type).where(
            media_attachments.c.id == media_id
        )
    )
    if row is None or not row[0]:
        return None
    return f"{base_url}/media/{row[0]}", str(row[1] or "image/png")


def profile_fields(row: dict[str, Any], department: str | None) -> list[tuple[str, str]]:
    """Profile fields, then title and department as Mastodon-style PropertyValues. The staff
    directory's contact details (phone, workplace, ...) are for colleagues signed in here:
    an actor document is readable by anyone, so they are not in it."""
    stored = orjson.loads(row.get("fields") or "[]")
    found = [
        (str(f.get("name", "")), str(f.get("value_html") or f.get("value", ""))) for f in stored
    ]
    if row.get("title"):
        found.append(("Titel", str(row["title"])))
    if department:
        found.append(("Förvaltning", department))
    return found


async def load_status(conn: Connection, status_id: int) -> LoadedStatus | None:
    row = await conn.fetch_one(select(statuses).where(statuses.c.id == status_id))
    if row is None:
        return None
    data = dict(row._mapping)
    author = await conn.fetch_one(select(accounts).where(accounts.c.id == data["account_id"]))
    assert author is not None
    return LoadedStatus(
        row=data,
        author=dict(author._mapping),
        mentions=await _mentions(conn, status_id),
        tags=await _tags(conn, status_id),
        parent_uri=await _uri_of(conn, data["in_reply_to_id"]) or data.get("in_reply_to_uri"),
        reblog_of_uri=await _uri_of(conn, data["reblog_of_id"]),
        media=await _media(conn, status_id),
        group_uri=await _account_uri(conn, data.get("group_id")),
    )


async def _account_uri(conn: Connection, account_id: int | None) -> str | None:
    if account_id is None:
        return None
    value = await conn.fetch_val(select(accounts.c.uri).where(accounts.c.id == account_id))
    return None if value is None else str(value)


async def _mentions(conn: Connection, status_id: int) -> list[tuple[str, str]]:
    query = (
        select(accounts.c.uri, accounts.c.username, accounts.c.domain)
        .select_from(mentions.join(accounts, accounts.c.id == mentions.c.account_id))
        .where(mentions.c.status_id == status_id)
    )
    rows = await conn.fetch_all(query)
    return [(r[0], f"@{r[1]}@{r[2]}" if r[2] else f"@{r[1]}") for r in rows]


async def _tags(conn: Connection, status_id: int) -> list[str]:
    query = (
        select(tags.c.display_name)
        .select_from(statuses_tags.join(tags, tags.c.id == statuses_tags.c.tag_id))
        .where(statuses_tags.c.status_id == status_id)
    )
    return [str(r[0]) for r in await conn.fetch_all(query)]


async def _uri_of(conn: Connection, status_id: int | None) -> str | None:
    if status_id is None:
        return None
    value = await conn.fetch_val(select(statuses.c.uri).where(statuses.c.id == status_id))
    return None if value is None else str(value)


async def _media(conn: Connection, status_id: int) -> list[dict[str, Any]]:
    rows = await conn.fetch_all(
        select(media_attachments)
        .where(media_attachments.c.status_id == status_id)
        .order_by(media_attachments.c.id)
    )
    return [dict(r._mapping) for r in rows]


async def relation_count(conn: Connection, account_id: int, *, followers: bool) -> int:
    column = follows.c.target_account_id if followers else follows.c.account_id
    return int(
        await conn.fetch_val(select(func.count()).select_from(follows).where(column == account_id))
    )


async def public_status_ids(
    conn: Connection, account_id: int, limit: int, max_id: int | None = None
) -> list[int]:
    """Public and unlisted, federated statuses of an account, newest first (the outbox)."""
    query = select(statuses.c.id).where(
        statuses.c.account_id == account_id,
        statuses.c.local_only.is_(False),
        statuses.c.visibility.in_(("public", "unlisted")),
        statuses.c.deleted_at.is_(None),
    )
    if max_id is not None:
        query = query.where(statuses.c.id < max_id)
    rows = await conn.fetch_all(query.order_by(statuses.c.id.desc()).limit(limit))
    return [int(r[0]) for r in rows]


async def count_public_statuses(conn: Connection, account_id: int) -> int:
    query = (
        select(func.count())
        .select_from(statuses)
        .where(
            statuses.c.account_id == account_id,
            statuses.c.local_only.is_(False),
            statuses.c.visibility.in_(("public", "unlisted")),
            statuses.c.deleted_at.is_(None),
        )
    )
    return int(await conn.fetch_val(query))


async def pinned_uris(conn: Connection, account_id: int) -> list[str]:
    query = (
        select(statuses.c.uri)
        .select_from(status_pins.join(statuses, statuses.c.id == status_pins.c.status_id))
        .where(status_pins.c.account_id == account_id, statuses.c.local_only.is_(False))
        .order_by(status_pins.c.id.desc())
    )
    return [str(r[0]) for r in await conn.fetch_all(query)]
