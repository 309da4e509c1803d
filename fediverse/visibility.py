"""Who may see which status, as SQL conditions shared by every query that reads statuses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from fediverse.domain_blocks import blocked_account_ids
from fediverse.errors import NotFoundError
from fediverse.hydrate import SQL_STATUSES, STATUS_NAMES
from fediverse.rawsql import Raw
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, blocks, follows, mentions, mutes, statuses

VISIBILITIES = ("public", "unlisted", "private", "direct")


def following_ids(account_id: int) -> Any:
    return select(follows.c.target_account_id).where(follows.c.account_id == account_id)


def mentioned_status_ids(account_id: int) -> Any:
    return select(mentions.c.status_id).where(mentions.c.account_id == account_id)


def suspended_ids() -> Any:
    """Suspended accounts (by our moderators or their own server): few, a partial index."""
    return select(accounts.c.id).where(accounts.c.suspended_at.is_not(None))


def can_see(viewer_account_id: int | None, table: Any = statuses) -> ColumnElement[bool]:
    """Statuses of ``table`` the viewer may read: a status they may not see is a 404, and so
    is every status of a suspended account, as in Mastodon."""
    if viewer_account_id is None:
        # Local-only posts are internal: signed-out visitors never see them.
        return and_(
            table.c.visibility.in_(("public", "unlisted")),
            table.c.local_only == false(),
            table.c.account_id.not_in(suspended_ids()),
        )
    return and_(
        table.c.account_id.not_in(suspended_ids()),
        or_(
            table.c.visibility.in_(("public", "unlisted")),
            table.c.account_id == viewer_account_id,
            and_(
                table.c.visibility == "private",
                table.c.account_id.in_(following_ids(viewer_account_id)),
            ),
            # a members-only post of a group: its members (the group's followers) see it
            and_(
                table.c.visibility == "private",
                table.c.group_id.in_(following_ids(viewer_account_id)),
            ),
            table.c.id.in_(mentioned_status_ids(viewer_account_id)),
        ),
        table.c.account_id.not_in(
            select(blocks.c.account_id).where(blocks.c.target_account_id == viewer_account_id)
        ),
    )


def not_hidden_from(viewer_account_id: int | None, table: Any = statuses) -> ColumnElement[bool]:
    """For timelines: leave out accounts the viewer blocked or muted, or whose domain the
    viewer blocked."""
    if viewer_account_id is None:
        return true()
    hidden = select(blocks.c.target_account_id).where(blocks.c.account_id == viewer_account_id)
    muted = select(mutes.c.target_account_id).where(mutes.c.account_id == viewer_account_id)
    return and_(
        table.c.account_id.not_in(hidden),
        table.c.account_id.not_in(muted),
        table.c.account_id.not_in(blocked_account_ids(viewer_account_id)),
    )


# can_see written out by hand: every single-status answer asks it.
# Suspended authors' statuses: none (suspended_ids).
VISIBLE_TO_ANYONE = (
    "s.visibility IN ('public', 'unlisted') AND s.local_only = ? "
    "AND s.account_id NOT IN (SELECT id FROM accounts WHERE suspended_at IS NOT NULL)"
)
VISIBLE_TO_VIEWER = (
    "(s.visibility IN ('public', 'unlisted') OR s.account_id = ? "
    "OR (s.visibility = 'private' AND s.account_id IN "
    "(SELECT target_account_id FROM follows WHERE account_id = ?)) "
    "OR (s.visibility = 'private' AND s.group_id IN "
    "(SELECT target_account_id FROM follows WHERE account_id = ?)) "
    "OR s.id IN (SELECT status_id FROM mentions WHERE account_id = ?)) "
    "AND s.account_id NOT IN (SELECT account_id FROM blocks WHERE target_account_id = ?) "
    "AND s.account_id NOT IN (SELECT id FROM accounts WHERE suspended_at IS NOT NULL)"
)


async def visible_rows(store: Store, viewer: int | None, ids: list[int]) -> list[Any]:
    """The statuses among ``ids`` that the viewer may see, in the order asked."""
    if not ids:
        return []
    args: list[object]
    async with store.read() as conn:
        if viewer is None:
            sql, args = f"{SQL_STATUSES} AND {VISIBLE_TO_ANYONE}", [False]
        else:
            sql, args = f"{SQL_STATUSES} AND {VISIBLE_TO_VIEWER}", [viewer] * 5
        rows = await Raw(conn).rows(sql, STATUS_NAMES, ids, *args)
    by_id = {r["id"]: r for r in rows}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


async def visible_row(store: Store, viewer: int | None, status_id: int) -> Any:
    rows = await visible_rows(store, viewer, [status_id])
    if not rows:
        raise NotFoundError("Record not found")
    return rows[0]
