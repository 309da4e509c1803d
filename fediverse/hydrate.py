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
from sqlalchemy import select

from fediverse.rawsql import Plan, Query, Raw, select_list
from fediverse.storage.tables import (
    accounts,
    departments,
    media_attachments,
    polls,
    statuses,
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
    departments.c.name.label("department_name"),
).select_from(
    accounts.outerjoin(_avatar, _avatar.c.id == accounts.c.avatar_media_id)
    .outerjoin(_header, _header.c.id == accounts.c.header_media_id)
    .outerjoin(departments, departments.c.id == accounts.c.department_id)
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
    queries: int = 0


# The SQL below is built once, at import, from our own column names: nothing from a request
# is ever formatted into it (hence the noqa for ruff's S608).
STATUS_NAMES = [c.name for c in STATUS_COLUMNS]
ACCOUNT_EXTRAS = ["avatar_path", "header_path", "department_name"]
ACCOUNT_NAMES = [c.name for c in ACCOUNT_COLUMNS] + ACCOUNT_EXTRAS
# What an Account entity shows: a page's accounts are read for that and nothing else, and
# every column read is a value converted, for each account on every page.
ENTITY_ACCOUNT_NAMES = [
    *(
        c
        for c in ACCOUNT_NAMES[: -len(ACCOUNT_EXTRAS)]
        if c
        not in {
            "note_source",
            "avatar_media_id",
            "header_media_id",
            "inbox_url",
            "outbox_url",
            "shared_inbox_url",
            "followers_url",
            "following_url",
            "featured_url",
            "public_key_id",
            "moved_to_account_id",
            "suspended_at",
            "silenced_at",
            "fetched_at",
            "updated_at",
        }
    ),
    *ACCOUNT_EXTRAS,
]
MEDIA_NAMES = [c.name for c in media_attachments.c]
POLL_NAMES = [c.name for c in polls.c]
SQL_STATUSES = f"SELECT {select_list(STATUS_NAMES, 's')} FROM statuses s WHERE s.id IN (?ids)"  # noqa: S608
SQL_ACCOUNTS = (
    f"SELECT {select_list(ENTITY_ACCOUNT_NAMES[: -len(ACCOUNT_EXTRAS)], 'a')}, av.file_path, "  # noqa: S608
    "hd.file_path, dp.name FROM accounts a "
    "LEFT JOIN media_attachments av ON av.id = a.avatar_media_id "
    "LEFT JOIN media_attachments hd ON hd.id = a.header_media_id "
    "LEFT JOIN departments dp ON dp.id = a.department_id WHERE a.id IN (?ids)"
)
SQL_MENTIONS = (
    "SELECT status_id, account_id FROM mentions WHERE status_id IN (?ids) AND silent = ? "
    "ORDER BY id"
)
SQL_MEDIA = (
    f"SELECT {select_list(MEDIA_NAMES, 'm')} FROM media_attachments m "  # noqa: S608
    "WHERE m.status_id IN (?ids) ORDER BY m.id"
)
SQL_TAGS = (
    "SELECT st.status_id, t.display_name FROM statuses_tags st JOIN tags t ON t.id = st.tag_id "
    "WHERE st.status_id IN (?ids)"
)
# By the statuses' poll ids: primary-key lookups, and votes by their (poll, account) index.
SQL_POLLS = f"SELECT {select_list(POLL_NAMES, 'p')} FROM polls p WHERE p.id IN (?ids)"  # noqa: S608
SQL_VOTES = (
    "SELECT v.poll_id, v.choice FROM poll_votes v WHERE v.poll_id IN (?ids) AND v.account_id = ?"
)
SQL_APPLICATIONS = "SELECT id, name, website FROM oauth_applications WHERE id IN (?ids)"
SQL_MARKS = " UNION ALL ".join(
    f"SELECT CAST('{kind}' AS TEXT), {column} FROM {table} WHERE account_id = ? "  # noqa: S608
    f"AND {column} IN (?ids)"
    for kind, table, column in (
        ("favourited", "favourites", "status_id"),
        ("reblogged", "statuses", "reblog_of_id"),
        ("bookmarked", "bookmarks", "status_id"),
        ("pinned", "status_pins", "status_id"),
    )
)


async def load_status_page(
    conn: Connection, rows: Sequence[Row], viewer_account_id: int | None
) -> StatusPage:
    """Hydrate ``rows`` (status rows, newest first) with reblogs, accounts, media and marks.

    The same queries run for every non-empty page, so its cost does not grow with its size;
    on SQLite they all run in one trip to the database thread.
    """
    raw = Raw(conn)
    page = await raw.run(status_page_plan(rows, viewer_account_id))
    page.queries = raw.count
    return page


def status_page_plan(rows: Sequence[Row], viewer: int | None) -> Plan[StatusPage]:
    """``load_status_page`` as a plan, to run in the same trip as the reads around it."""
    page = StatusPage([r["id"] for r in rows], {r["id"]: r for r in rows})
    page.viewer_account_id = viewer
    if not rows:
        return page
    originals = [r["reblog_of_id"] for r in rows if r["reblog_of_id"]]
    found = yield Query(SQL_STATUSES, STATUS_NAMES, (originals,))
    page.statuses.update({row["id"]: row for row in found})
    ids = list(page.statuses)
    page.mentions = _grouped((yield Query(SQL_MENTIONS, ("s", "a"), (ids, False))))
    mentioned = {a for accounts_ in page.mentions.values() for a in accounts_}
    authors = {s["account_id"] for s in page.statuses.values()}
    accounts_ = yield Query(SQL_ACCOUNTS, ENTITY_ACCOUNT_NAMES, (list(authors | mentioned),))
    page.accounts = {row["id"]: row for row in accounts_}
    media = yield Query(SQL_MEDIA, MEDIA_NAMES, (ids,))
    page.media = _grouped([{"s": m["status_id"], "a": m} for m in media])
    page.tags = _grouped((yield Query(SQL_TAGS, ("s", "a"), (ids,))))
    poll_ids = [s["poll_id"] for s in page.statuses.values() if s["poll_id"]]
    polls_ = yield Query(SQL_POLLS, POLL_NAMES, (poll_ids,))
    page.polls = {p["status_id"]: p for p in polls_}
    apps = {s["application_id"] for s in page.statuses.values() if s["application_id"]}
    found_apps = yield Query(SQL_APPLICATIONS, ("id", "name", "website"), (list(apps),))
    page.applications = {a["id"]: a for a in found_apps}
    if viewer is not None:
        page.own_votes = _grouped((yield Query(SQL_VOTES, ("s", "a"), (poll_ids, viewer))))
        marks = yield Query(SQL_MARKS, ("kind", "id"), tuple(_mark_args(viewer, ids)))
        for mark in marks:
            page.marks[mark["kind"]].add(mark["id"])
    return page


def _mark_args(viewer: int, ids: list[int]) -> list[Any]:
    return [viewer, ids] * 4


def _grouped(pairs: Iterable[dict[str, Any]]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = defaultdict(list)
    for pair in pairs:
        found[pair["s"]].append(pair["a"])
    return found
