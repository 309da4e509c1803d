"""Timelines: home (a query over follows), public, hashtag, an account's, bookmarks, favourites."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, or_, select

from fediverse.errors import NotFoundError
from fediverse.feeds import home_rows_args, home_rows_sql
from fediverse.hydrate import STATUS_COLUMNS, STATUS_NAMES, Row
from fediverse.instances import not_silenced
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.rawsql import Plan, Query, Raw, select_list
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    accounts,
    bookmarks,
    favourites,
    media_attachments,
    status_pins,
    statuses,
    statuses_tags,
    tags,
)
from fediverse.visibility import can_see, not_hidden_from

_BASE = select(*STATUS_COLUMNS)


async def _fetch(store: Store, query: Any, page: PageQuery) -> list[Row]:
    async with store.read() as conn:
        rows = await conn.fetch_all(apply_page(query, statuses.c.id, page))
    return newest_first([r._mapping for r in rows], page)


# The home timeline is the hottest query of all: it reads the feed that fan-out fills
# (fediverse.feeds), written out by hand (see rawsql).
_HOME = (
    "SELECT {columns} FROM ({rows}) hf JOIN statuses s ON s.id = hf.status_id "
    "ORDER BY hf.status_id {order}"
)
HOME_NEWEST = _HOME.format(
    columns=select_list(STATUS_NAMES, "s"), rows=home_rows_sql("DESC"), order="DESC"
)
HOME_OLDEST = _HOME.format(
    columns=select_list(STATUS_NAMES, "s"), rows=home_rows_sql("ASC"), order="ASC"
)
MAX_ID = (1 << 63) - 1


async def home(store: Store, account_id: int, page: PageQuery) -> list[Row]:
    """The viewer's own posts and those of the accounts they follow that they may see."""
    async with store.read() as conn:
        return await Raw(conn).run(home_plan(account_id, page))


def home_plan(account_id: int, page: PageQuery) -> Plan[list[Row]]:
    """``home`` as a plan, so that a page is read and hydrated in one trip."""
    upper = page.max_id if page.max_id is not None else MAX_ID
    lower = max(page.since_id or 0, page.min_id or 0)
    sql = HOME_OLDEST if page.min_id is not None else HOME_NEWEST
    args = home_rows_args(account_id, upper, lower, page.limit)
    return newest_first((yield Query(sql, STATUS_NAMES, args)), page)


def _has_media() -> Any:
    return exists().where(media_attachments.c.status_id == statuses.c.id)


@dataclass(frozen=True, slots=True)
class PublicFilter:
    local: bool = False
    remote: bool = False
    only_media: bool = False


async def public(store: Store, viewer: int | None, page: PageQuery, f: PublicFilter) -> list[Row]:
    query = _BASE.where(
        statuses.c.visibility == "public",
        statuses.c.reblog_of_id.is_(None),
        can_see(viewer),
        not_hidden_from(viewer),
        not_silenced(),
    )
    if f.local:
        query = query.where(statuses.c.local.is_(True))
    if f.remote:
        query = query.where(statuses.c.local.is_(False))
    if f.only_media:
        query = query.where(_has_media())
    return await _fetch(store, query, page)


def _tagged(names: Sequence[str]) -> Any:
    return (
        select(statuses_tags.c.status_id)
        .join(tags, tags.c.id == statuses_tags.c.tag_id)
        .where(tags.c.name.in_([n.lower() for n in names]))
    )


@dataclass(frozen=True, slots=True)
class TagFilter:
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    local: bool = False
    remote: bool = False
    only_media: bool = False


async def tag(
    store: Store, viewer: int | None, name: str, page: PageQuery, f: TagFilter
) -> list[Row]:
    query = _BASE.where(
        statuses.c.id.in_(_tagged([name, *f.any])),
        statuses.c.visibility == "public",
        can_see(viewer),
        not_hidden_from(viewer),
        not_silenced(),
    )
    for required in f.all:
        query = query.where(statuses.c.id.in_(_tagged([required])))
    if f.none:
        query = query.where(statuses.c.id.not_in(_tagged(f.none)))
    if f.local:
        query = query.where(statuses.c.local.is_(True))
    if f.remote:
        query = query.where(statuses.c.local.is_(False))
    if f.only_media:
        query = query.where(_has_media())
    return await _fetch(store, query, page)


@dataclass(frozen=True, slots=True)
class AccountFilter:
    pinned: bool = False
    exclude_replies: bool = False
    exclude_reblogs: bool = False
    only_media: bool = False
    tagged: str | None = None


async def account_statuses(
    store: Store, viewer: int | None, account_id: int, page: PageQuery, f: AccountFilter
) -> list[Row]:
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(accounts.c.actor_type, accounts.c.suspended_at).where(
                accounts.c.id == account_id
            )
        )
    if row is None:
        raise NotFoundError("Record not found")
    if row[1] is not None:
        return []  # a suspended account's posts are not shown, as in Mastodon
    found = row[0]
    # A group's profile shows the posts it carries, as Mastodon shows a group's boosts.
    owner = statuses.c.group_id if found == "Group" else statuses.c.account_id
    query = _BASE.where(owner == account_id, can_see(viewer))
    if f.pinned:
        query = query.where(
            statuses.c.id.in_(
                select(status_pins.c.status_id).where(status_pins.c.account_id == account_id)
            )
        )
    if f.exclude_replies:
        query = query.where(
            or_(
                statuses.c.in_reply_to_id.is_(None), statuses.c.in_reply_to_account_id == account_id
            )
        )
    if f.exclude_reblogs:
        query = query.where(statuses.c.reblog_of_id.is_(None))
    if f.only_media:
        query = query.where(_has_media())
    if f.tagged:
        query = query.where(statuses.c.id.in_(_tagged([f.tagged])))
    return await _fetch(store, query, page)


async def _marked(
    store: Store, table: Any, viewer: int, page: PageQuery
) -> tuple[list[Row], list[int]]:
    """Statuses the viewer marked, paged by the mark's id (as Mastodon pages them)."""
    query = (
        select(*STATUS_COLUMNS, table.c.id.label("mark_id"))
        .join(table, table.c.status_id == statuses.c.id)
        .where(table.c.account_id == viewer, can_see(viewer))
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(apply_page(query, table.c.id, page))
    ordered = newest_first([r._mapping for r in rows], page)
    return ordered, [r["mark_id"] for r in ordered]


async def bookmarked(store: Store, viewer: int, page: PageQuery) -> tuple[list[Row], list[int]]:
    return await _marked(store, bookmarks, viewer, page)


async def favourited(store: Store, viewer: int, page: PageQuery) -> tuple[list[Row], list[int]]:
    return await _marked(store, favourites, viewer, page)


async def context(store: Store, viewer: int | None, status_id: int) -> tuple[list[Row], list[Row]]:
    """Ancestors (oldest first) and descendants (in thread order) the viewer may see."""
    up = (
        select(statuses.c.id, statuses.c.in_reply_to_id)
        .where(statuses.c.id == status_id)
        .cte("up", recursive=True)
    )
    up = up.union_all(
        select(statuses.c.id, statuses.c.in_reply_to_id).join(
            up, statuses.c.id == up.c.in_reply_to_id
        )
    )
    down = (
        select(statuses.c.id)
        .where(statuses.c.in_reply_to_id == status_id)
        .cte("down", recursive=True)
    )
    down = down.union_all(select(statuses.c.id).join(down, statuses.c.in_reply_to_id == down.c.id))
    async with store.read() as conn:
        origin = await conn.fetch_val(
            select(statuses.c.id).where(statuses.c.id == status_id, can_see(viewer))
        )
        if origin is None:
            raise NotFoundError("Record not found")
        above = await conn.fetch_all(
            _BASE.where(
                statuses.c.id.in_(select(up.c.id)), statuses.c.id != status_id, can_see(viewer)
            ).order_by(statuses.c.id)
        )
        below = await conn.fetch_all(
            _BASE.where(
                statuses.c.id.in_(select(down.c.id)), can_see(viewer), not_hidden_from(viewer)
            )
            .order_by(statuses.c.id)
            .limit(4096)
        )
    return [r._mapping for r in above], [r._mapping for r in below]
