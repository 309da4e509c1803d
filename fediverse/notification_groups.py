"""Grouped notifications (Mastodon 4.3's v2): favourites and boosts of one status, and the
like, shown as one group with its count and a sample of who did it.

A notification's stored ``group_key`` (``favourite-<status>``, ``reblog-<status>``, ...) names
its group when its type is one the client wants grouped; any other is a group of its own,
``ungrouped-<id>``. Groups are formed within each page of notifications, newest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select

from fediverse.errors import NotFoundError
from fediverse.notifications import LISTED_TYPES, list_notifications
from fediverse.paging import PageQuery
from fediverse.storage.database import Store
from fediverse.storage.tables import notifications

# Join requests go together by group: "anna, bo and 3 others ask to join Lag".
GROUPED_TYPES = ("favourite", "follow", "reblog", "group_join_request")
SAMPLE_ACCOUNTS = 8


@dataclass(slots=True)
class Group:
    key: str
    type: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # newest first

    @property
    def newest(self) -> dict[str, Any]:
        return self.rows[0]

    @property
    def sample_account_ids(self) -> list[int]:
        return list(dict.fromkeys(r["from_account_id"] for r in self.rows))[:SAMPLE_ACCOUNTS]


def group_key(row: dict[str, Any], grouped_types: Sequence[str]) -> str:
    if row["type"] in grouped_types and row["group_key"]:
        return str(row["group_key"])
    return f"ungrouped-{row['id']}"


def group_rows(rows: Sequence[dict[str, Any]], grouped_types: Sequence[str]) -> list[Group]:
    """Notifications (newest first) gathered into groups, in the order of their newest."""
    groups: dict[str, Group] = {}
    for row in rows:
        key = group_key(row, grouped_types)
        groups.setdefault(key, Group(key, row["type"])).rows.append(row)
    return list(groups.values())


async def grouped_page(
    store: Store,
    account_id: int,
    page: PageQuery,
    *,
    types: Sequence[str] = (),
    exclude_types: Sequence[str] = (),
    from_account_id: int | None = None,
    grouped_types: Sequence[str] = GROUPED_TYPES,
) -> tuple[list[Group], list[int]]:
    """A page of notifications as groups, and the ids of the page (for its links)."""
    rows = await list_notifications(
        store,
        account_id,
        page,
        types=types,
        exclude_types=exclude_types,
        from_account_id=from_account_id,
    )
    return group_rows(rows, grouped_types), [r["id"] for r in rows]


def _in_group(account_id: int, key: str) -> Any:
    mine = notifications.c.account_id == account_id
    if key.startswith("ungrouped-"):
        raw = key.removeprefix("ungrouped-")
        return mine & (notifications.c.id == (int(raw) if raw.isdigit() and len(raw) < 20 else -1))
    return mine & (notifications.c.group_key == key)


async def get_group(store: Store, account_id: int, key: str, *, limit: int = 80) -> Group:
    """One group by its key, with its newest ``limit`` notifications; 404 if none are left."""
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(notifications)
            .where(_in_group(account_id, key))
            .order_by(notifications.c.id.desc())
            .limit(limit)
        )
    if not rows:
        raise NotFoundError("Record not found")
    found = [dict(r._mapping) for r in rows]
    return Group(key, found[0]["type"], found)


async def dismiss_group(store: Store, account_id: int, key: str) -> None:
    async with store.write() as conn:
        gone = await conn.fetch_all(
            delete(notifications).where(_in_group(account_id, key)).returning(notifications.c.id)
        )
    if not gone:
        raise NotFoundError("Record not found")


async def unread_group_count(
    store: Store,
    account_id: int,
    *,
    limit: int = 100,
    grouped_types: Sequence[str] = GROUPED_TYPES,
    exclude_types: Sequence[str] = (),
) -> int:
    """How many groups have unread notifications (at most ``limit``)."""
    query = select(notifications.c.id, notifications.c.type, notifications.c.group_key).where(
        notifications.c.account_id == account_id, notifications.c.read.is_(False)
    )
    if exclude_types:
        query = query.where(notifications.c.type.not_in(exclude_types))
    async with store.read() as conn:
        rows = await conn.fetch_all(query.order_by(notifications.c.id.desc()).limit(limit * 10))
    keys = {group_key(dict(r._mapping), grouped_types) for r in rows}
    return min(len(keys), limit)


def check_grouped_types(names: Sequence[str]) -> list[str]:
    """The types to group among ``names``: unknown ones are left out, as Mastodon does."""
    return [name for name in names if name in LISTED_TYPES]
