"""Notifications of local accounts: written in the transaction of what caused them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from databases.core import Connection
from sqlalchemy import and_, delete, func, insert, select, update

from fediverse.errors import NotFoundError, ValidationError
from fediverse.events import Event
from fediverse.ids import now_ms
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.push import enqueue_for
from fediverse.rawsql import Raw
from fediverse.storage.database import Store
from fediverse.storage.tables import notification_types_off, notifications

TYPES = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    # Kollegium's own: someone asks to join a group the recipient moderates
    # (fediverse.group_requests); Mastodon apps get it only when they ask for it by name.
    "group_join_request",
)


_SILENCED = (
    "SELECT count(*) FROM accounts WHERE id = ? AND (domain IS NOT NULL "
    "OR id IN (SELECT account_id FROM blocks WHERE account_id = ? AND target_account_id = ?) "
    "OR id IN (SELECT account_id FROM mutes WHERE account_id = ? AND target_account_id = ? "
    "AND hide_notifications = ?) "
    "OR id IN (SELECT account_id FROM notification_types_off WHERE account_id = ? AND type = ?))"
)
# The kinds a member may turn off in their settings (the others are for moderators).
CHOOSABLE = TYPES
# Every kind a list may ask for: also those written elsewhere (``admin.report`` by
# fediverse.reports) or not made here (yet) that Mastodon knows.
LISTED_TYPES = (*TYPES, "admin.sign_up", "admin.report", "severed_relationships")
_NEW = (
    "INSERT INTO notifications (id, account_id, from_account_id, type, status_id, group_key, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


async def _silenced(conn: Connection, account_id: int, from_account_id: int, type: str) -> bool:
    """Whether the recipient blocked the sender, muted them with their notifications, or
    turned this kind of notification off (hand-written SQL: compiling it cost more than
    running it, once per notification)."""
    a, b = account_id, from_account_id
    found = await Raw(conn).rows(_SILENCED, ("n",), a, a, b, a, b, True, a, type)
    return bool(found[0]["n"])


async def unsilenced(
    conn: Connection, account_ids: Sequence[int], from_account_id: int, type: str = "mention"
) -> list[int]:
    """Those of ``account_ids`` that would be told of a ``type`` from ``from_account_id``."""
    return [
        a
        for a in dict.fromkeys(account_ids)
        if a != from_account_id and not await _silenced(conn, a, from_account_id, type)
    ]


async def types_off(store: Store, account_id: int) -> set[str]:
    """The kinds of notification the member turned off."""
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(notification_types_off.c.type).where(
                notification_types_off.c.account_id == account_id
            )
        )
    return {r._mapping["type"] for r in rows}


async def set_types_off(store: Store, account_id: int, off: set[str]) -> None:
    """Turn these kinds of notification off and every other choosable kind on."""
    unknown = off - set(CHOOSABLE)
    if unknown:
        raise ValidationError(f"Unknown notification type: {', '.join(sorted(unknown))}")
    async with store.write() as conn:
        await conn.execute(
            delete(notification_types_off).where(notification_types_off.c.account_id == account_id)
        )
        if off:
            await conn.execute_many(
                insert(notification_types_off),
                [{"account_id": account_id, "type": t} for t in sorted(off)],
            )


def notification_statement(
    store: Store, *, account_id: int, from_account_id: int, type: str, status_id: int | None
) -> tuple[tuple[str, list[object]], Event]:
    """A notification as a statement to batch with others (``fediverse.rawsql``), and the
    event to publish once it is committed; the recipient is checked by ``unsilenced``."""
    if type not in TYPES:
        raise ValueError(f"unknown notification type {type!r}")
    notification_id = store.new_id()
    values: list[object] = [
        notification_id,
        account_id,
        from_account_id,
        type,
        status_id,
        f"{type}-{status_id or from_account_id}",
        now_ms(),
    ]
    event = Event(f"user:{account_id}", "notification", {"notification_id": str(notification_id)})
    return (_NEW, values), event


async def notify(
    store: Store,
    conn: Connection,
    *,
    account_id: int,
    from_account_id: int,
    type: str,
    status_id: int | None = None,
    own: bool = False,
    follow_request_id: int | None = None,
    group_key: str | None = None,
) -> int | None:
    """Tell a local account that something happened; None when nothing is written.

    Nothing is written for remote recipients, for one's own actions (unless ``own``: the
    end of one's own poll), when the recipient blocked the sender or muted their
    notifications, or when the recipient turned this kind of notification off.
    ``group_key`` gathers notifications in Mastodon's grouped notifications; by default
    those of one type about one status (or from one account) go together.
    """
    if type not in TYPES:
        raise ValueError(f"unknown notification type {type!r}")
    if account_id == from_account_id and not own:
        return None
    if await _silenced(conn, account_id, from_account_id, type):
        return None
    notification_id = store.new_id()
    await conn.execute(
        insert(notifications).values(
            id=notification_id,
            account_id=account_id,
            from_account_id=from_account_id,
            type=type,
            status_id=status_id,
            follow_request_id=follow_request_id,
            group_key=group_key or f"{type}-{status_id or from_account_id}",
            created_at=now_ms(),
        )
    )
    event = Event(f"user:{account_id}", "notification", {"notification_id": str(notification_id)})
    store.publish_after_commit(conn, event)
    await enqueue_for(store, conn, account_id, notification_id)
    return notification_id


def _filter(
    account_id: int, types: Sequence[str], exclude: Sequence[str], from_account_id: int | None
) -> Any:
    conditions = [notifications.c.account_id == account_id]
    if types:
        # Types this server does not know are left out, as Mastodon leaves them out: apps
        # send the types of newer versions. Only unknown ones asked for: nothing.
        conditions.append(notifications.c.type.in_([t for t in types if t in LISTED_TYPES]))
    if exclude:
        conditions.append(notifications.c.type.not_in(exclude))
    if from_account_id is not None:
        conditions.append(notifications.c.from_account_id == from_account_id)
    return and_(*conditions)


async def list_notifications(
    store: Store,
    account_id: int,
    page: PageQuery,
    *,
    types: Sequence[str] = (),
    exclude_types: Sequence[str] = (),
    from_account_id: int | None = None,
) -> list[dict[str, Any]]:
    query = select(notifications).where(_filter(account_id, types, exclude_types, from_account_id))
    async with store.read() as conn:
        rows = await conn.fetch_all(apply_page(query, notifications.c.id, page))
    return newest_first([dict(r._mapping) for r in rows], page)


async def get_notification(store: Store, account_id: int, notification_id: int) -> dict[str, Any]:
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(notifications).where(
                notifications.c.id == notification_id, notifications.c.account_id == account_id
            )
        )
    if row is None:
        raise NotFoundError("Record not found")
    return dict(row._mapping)


async def dismiss(store: Store, account_id: int, notification_id: int) -> None:
    async with store.write() as conn:
        gone = await conn.fetch_all(
            delete(notifications)
            .where(notifications.c.id == notification_id, notifications.c.account_id == account_id)
            .returning(notifications.c.id)
        )
    if not gone:
        raise NotFoundError("Record not found")


async def clear(store: Store, account_id: int) -> None:
    async with store.write() as conn:
        await conn.execute(delete(notifications).where(notifications.c.account_id == account_id))


async def unread_count(
    store: Store, account_id: int, *, limit: int = 100, exclude_types: Sequence[str] = ()
) -> int:
    query = select(notifications.c.id).where(
        notifications.c.account_id == account_id, notifications.c.read.is_(False)
    )
    if exclude_types:
        query = query.where(notifications.c.type.not_in(exclude_types))
    inner = query.limit(limit).subquery()
    async with store.read() as conn:
        return int(await conn.fetch_val(select(func.count()).select_from(inner)) or 0)


async def mark_read(store: Store, account_id: int, up_to_id: int) -> None:
    async with store.write() as conn:
        await conn.execute(
            update(notifications)
            .where(notifications.c.account_id == account_id, notifications.c.id <= up_to_id)
            .values(read=True)
        )
