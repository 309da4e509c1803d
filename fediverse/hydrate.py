"""Loading what a page of statuses, accounts or notifications shows, in a fixed number of queries.

Every loader here makes one query per kind of related row for the whole page, whatever its
size, so that a page of 40 costs what a page of 1 costs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from databases.core import Connection
from sqlalchemy import literal, select, union_all

from fediverse.storage.tables import (
    accounts,
    bookmarks,
    favourites,
    media_attachments,
    mentions,
    oauth_applications,
    poll_votes,
    polls,
    status_pins,
    statuses,
    statuses_tags,
    tags,
)

Row = Mapping[str, Any]
_avatar = media_attachments.alias("avatar")
_header = media_attachments.alias("header")
_PRIVATE = {"private_key_pem", "ed25519_private_key_pem", "ap_raw", "public_key_pem"}
ACCOUNT_COLUMNS = [c for c in accounts.c if c.name not in _PRIVATE]
ACCOUNT_QUERY = select(
    *ACCOUNT_COLUMNS,
    _avatar.c.file_path.label("avatar_path"),
    _header.c.file_path.label("header_path"),
).select_from(
    accounts.outerjoin(_avatar, _avatar.c.id == accounts.c.avatar_media_id).outerjoin(
        _header, _header.c.id == accounts.c.header_media_id
    )
)
STATUS_COLUMNS = [c for c in statuses.c if c.name != "ap_raw"]


def _rows(result: Sequence[Any]) -> list[Row]:
    return [row._mapping for row in result]


async def load_accounts(conn: Connection, ids: Iterable[int]) -> dict[int, Row]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await conn.fetch_all(ACCOUNT_QUERY.where(accounts.c.id.in_(wanted)))
    return {row["id"]: row for row in _rows(rows)}


async def load_status_rows(conn: Connection, ids: Iterable[int]) -> dict[int, Row]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await conn.fetch_all(select(*STATUS_COLUMNS).where(statuses.c.id.in_(wanted)))
    return {row["id"]: row for row in _rows(rows)}


@dataclass(slots=True)
class StatusPage:
    """A page of statuses and everything their Mastodon entities show, for one viewer."""

    order: list[int]
    statuses: dict[int, Row]
    accounts: dict[int, Row] = field(default_factory=dict)
    media: dict[int, list[Row]] = field(default_factory=dict)
    mentions: dict[int, list[int]] = field(default_factory=dict)
    tags: dict[int, list[str]] = field(default_factory=dict)
    polls: dict[int, Row] = field(default_factory=dict)
    own_votes: dict[int, list[int]] = field(default_factory=dict)
    applications: dict[int, Row] = field(default_factory=dict)
    marks: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    viewer_account_id: int | None = None


async def load_status_page(
    conn: Connection, rows: Sequence[Row], viewer_account_id: int | None
) -> StatusPage:
    """Hydrate ``rows`` (status rows, newest first) with reblogs, accounts, media and marks."""
    page = StatusPage([r["id"] for r in rows], {r["id"]: r for r in rows})
    page.viewer_account_id = viewer_account_id
    if not rows:
        return page
    # Always asked, even with no reblogs on the page, so that every page costs the same.
    originals = {r["reblog_of_id"] for r in rows if r["reblog_of_id"]}
    found = await conn.fetch_all(select(*STATUS_COLUMNS).where(statuses.c.id.in_(originals)))
    page.statuses.update({row["id"]: row for row in _rows(found)})
    ids = list(page.statuses)
    page.mentions = await _mentions(conn, ids)
    mentioned = {a for accounts_ in page.mentions.values() for a in accounts_}
    authors = {s["account_id"] for s in page.statuses.values()}
    page.accounts = await load_accounts(conn, authors | mentioned)
    page.media = await _media(conn, ids)
    page.tags = await _tags(conn, ids)
    page.polls = await _polls(conn, ids)
    page.applications = await _applications(conn, page.statuses.values())
    if viewer_account_id is not None:
        page.own_votes = await _own_votes(conn, list(page.polls), viewer_account_id)
        page.marks = await _marks(conn, ids, viewer_account_id)
    return page


async def _mentions(conn: Connection, ids: list[int]) -> dict[int, list[int]]:
    rows = await conn.fetch_all(
        select(mentions.c.status_id, mentions.c.account_id)
        .where(mentions.c.status_id.in_(ids), mentions.c.silent.is_(False))
        .order_by(mentions.c.id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(row[1])
    return found


async def _media(conn: Connection, ids: list[int]) -> dict[int, list[Row]]:
    rows = await conn.fetch_all(
        select(media_attachments)
        .where(media_attachments.c.status_id.in_(ids))
        .order_by(media_attachments.c.id)
    )
    found: dict[int, list[Row]] = defaultdict(list)
    for row in _rows(rows):
        found[row["status_id"]].append(row)
    return found


async def _tags(conn: Connection, ids: list[int]) -> dict[int, list[str]]:
    rows = await conn.fetch_all(
        select(statuses_tags.c.status_id, tags.c.display_name)
        .join(tags, tags.c.id == statuses_tags.c.tag_id)
        .where(statuses_tags.c.status_id.in_(ids))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(row[1])
    return found


async def _polls(conn: Connection, ids: list[int]) -> dict[int, Row]:
    rows = await conn.fetch_all(select(polls).where(polls.c.status_id.in_(ids)))
    return {row["status_id"]: row for row in _rows(rows)}


async def _own_votes(
    conn: Connection, poll_ids_by_status: list[int], viewer: int
) -> dict[int, list[int]]:
    rows = await conn.fetch_all(
        select(poll_votes.c.poll_id, poll_votes.c.choice)
        .join(polls, polls.c.id == poll_votes.c.poll_id)
        .where(polls.c.status_id.in_(poll_ids_by_status or [0]), poll_votes.c.account_id == viewer)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(row[1])
    return found


async def _applications(conn: Connection, rows: Iterable[Row]) -> dict[int, Row]:
    ids = {r["application_id"] for r in rows if r["application_id"]}
    query = select(oauth_applications.c.id, oauth_applications.c.name, oauth_applications.c.website)
    result = await conn.fetch_all(query.where(oauth_applications.c.id.in_(ids or {0})))
    return {row["id"]: row for row in _rows(result)}


async def _marks(conn: Connection, ids: list[int], viewer: int) -> dict[str, set[int]]:
    """The viewer's favourites, reblogs, bookmarks and pins among ``ids``, in one query."""

    def mark(kind: str, table: Any, column: Any, *extra: Any) -> Any:
        return select(literal(kind).label("kind"), column.label("status_id")).where(
            table.c.account_id == viewer, column.in_(ids), *extra
        )

    query = union_all(
        mark("favourited", favourites, favourites.c.status_id),
        mark("reblogged", statuses, statuses.c.reblog_of_id),
        mark("bookmarked", bookmarks, bookmarks.c.status_id),
        mark("pinned", status_pins, status_pins.c.status_id),
    )
    found: dict[str, set[int]] = defaultdict(set)
    for row in await conn.fetch_all(query):
        found[row[0]].add(row[1])
    return found
