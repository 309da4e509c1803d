"""Posting to a group: which group a post is for, whether its author may post there, and
bringing an accepted post to the members (local feeds here, an announce job for the rest).

A post is for a group when it mentions the group, answers a post of the group's thread, or
names the group as its ``audience``. The group's announces reach each member once: home
feeds have one row per (account, status), and servers store a post once by its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from databases.core import Connection
from sqlalchemy import select, update

from fediverse.errors import ForbiddenError
from fediverse.groups_model import (
    Group,
    group_on,
    groups_among,
    is_banned,
    is_member,
    is_moderator,
)
from fediverse.outgoing import federate
from fediverse.rawsql import Raw
from fediverse.storage.database import Store
from fediverse.storage.tables import statuses
from fediverse.streams import announce_status

_TO_MEMBERS = (
    "INSERT INTO home_feed (account_id, status_id, author_account_id) "
    "SELECT f.account_id, CAST(? AS BIGINT), CAST(? AS BIGINT) FROM follows f "
    "JOIN users u ON u.account_id = f.account_id WHERE f.target_account_id = ? "
    "ON CONFLICT DO NOTHING"
)
# Local members whose home stream hears of the post from nowhere else: not the author, not
# following the author (``author:`` topic), not mentioned (``user:`` topic already).
_UNTOLD_MEMBERS = (
    "SELECT f.account_id FROM follows f JOIN users u ON u.account_id = f.account_id "
    "WHERE f.target_account_id = ? AND f.account_id <> ? "
    "AND f.account_id NOT IN (SELECT account_id FROM follows WHERE target_account_id = ?) "
    "AND f.account_id NOT IN (SELECT account_id FROM mentions WHERE status_id = ?)"
)


async def group_of_thread(conn: Connection, status_id: int | None) -> int | None:
    if status_id is None:
        return None
    found = await conn.fetch_val(select(statuses.c.group_id).where(statuses.c.id == status_id))
    return None if found is None else int(found)


async def target_group(
    conn: Connection, mentioned_ids: Sequence[int], reply_to_id: int | None
) -> tuple[Group | None, bool]:
    """The group a post is for (the thread's group first), and whether it starts a thread."""
    thread_group = await group_of_thread(conn, reply_to_id)
    if thread_group is not None:
        found = await group_on(conn, thread_group)
        if found is not None:
            return found, False
    among = await groups_among(conn, mentioned_ids)
    return (among[0] if among else None), True


async def check_poster(conn: Connection, group: Group, author_id: int, *, new_thread: bool) -> None:
    """Refuse a post from a banned account, a non-member, or (in an announcement channel) a
    new thread from someone who does not moderate."""
    if await is_banned(conn, group.id, author_id):
        raise ForbiddenError("You are banned from this group")
    if not await is_member(conn, group.id, author_id):
        raise ForbiddenError("Only members of this group may post to it")
    if (
        new_thread
        and group.moderators_only_start_threads
        and not await is_moderator(conn, group.id, author_id)
    ):
        raise ForbiddenError("Only moderators may start threads in this group")


async def group_for_post(
    conn: Connection, author_id: int, mentioned_ids: Sequence[int], reply_to_id: int | None
) -> Group | None:
    """The group a local member's new post is for, once the author may post there."""
    group, new_thread = await target_group(conn, mentioned_ids, reply_to_id)
    if group is not None:
        await check_poster(conn, group, author_id, new_thread=new_thread)
    return group


def local_only_for(group: Group, chosen: bool | None, default: bool) -> bool:
    """An internal group's posts never leave; a federated group's go to its members unless
    the author chose local-only for this very post."""
    if group.privacy == "internal" and group.is_local:
        return True
    return chosen if chosen is not None else False if group.federated else default


def visibility_for(group: Group, chosen: str) -> str:
    """A closed group's posts are for its members: public and unlisted become members-only
    (``private``, which members see as the group's followers; fediverse.visibility)."""
    if group.privacy == "closed" and chosen in ("public", "unlisted"):
        return "private"
    return chosen


async def distribute(
    store: Store,
    conn: Connection,
    status_id: int,
    group: Group,
    author_id: int,
    *,
    local_only: bool,
    activity: dict[str, Any] | None = None,
) -> None:
    """An accepted post of ``group``: into its local members' home feeds, and, for a local
    group that federates, announced to its members elsewhere."""
    await conn.execute(
        update(statuses)
        .where(statuses.c.id == status_id, statuses.c.group_id.is_(None))
        .values(group_id=group.id)
    )
    await Raw(conn).execute(_TO_MEMBERS, status_id, author_id, group.id)
    untold = await Raw(conn).rows(
        _UNTOLD_MEMBERS, ("account_id",), group.id, author_id, author_id, status_id
    )
    announce_status(store, conn, "update", status_id, [f"user:{r['account_id']}" for r in untold])
    if group.is_local and group.federated and not local_only:
        fields: dict[str, Any] = {"status_id": status_id, "group_id": group.id}
        if activity is not None:
            fields["activity"] = activity
        await federate(store, conn, "group.announce_activity", **fields)
        await federate(store, conn, "group.announce_object", status_id=status_id, group_id=group.id)
