"""Join requests to a local group, told to those who decide them.

A join request is a follow request to the group's account, which nobody reads. So every
moderator and admin of the group gets a ``group_join_request`` notification of their own,
naming the asker (``from_account_id``) and the request (``follow_request_id``), and through
it the group. The notification goes with the request: the foreign key deletes it however
the request ends (approved, turned down, withdrawn, the asker banned or their server
suspended), as Mastodon deletes a follow request's notification with the request. A member
who stops deciding (made a plain member again, or leaving the group) loses those they were
told of.
"""

from __future__ import annotations

from collections.abc import Collection

from databases.core import Connection
from sqlalchemy import delete, select

from fediverse.groups_model import DECIDING_ROLES
from fediverse.notifications import notify
from fediverse.storage.database import Store
from fediverse.storage.tables import follow_requests, follows, group_memberships, notifications

TYPE = "group_join_request"


async def deciders(conn: Connection, group_id: int) -> list[int]:
    """The members of a group whose role lets them decide its join requests."""
    rows = await conn.fetch_all(
        select(group_memberships.c.account_id)
        .select_from(
            group_memberships.join(
                follows,
                (follows.c.account_id == group_memberships.c.account_id)
                & (follows.c.target_account_id == group_memberships.c.group_account_id),
            )
        )
        .where(
            group_memberships.c.group_account_id == group_id,
            group_memberships.c.role.in_(DECIDING_ROLES),
            group_memberships.c.state == "member",
        )
        .order_by(group_memberships.c.id)
    )
    return [int(r[0]) for r in rows]


async def tell_deciders(
    store: Store, conn: Connection, group_id: int, asker_id: int, request_id: int
) -> None:
    """In the request's transaction: a notification for each local moderator and admin
    (``notify`` leaves out remote ones, the asker, and those who turned the kind off)."""
    for account_id in await deciders(conn, group_id):
        await notify(
            store,
            conn,
            account_id=account_id,
            from_account_id=asker_id,
            type=TYPE,
            follow_request_id=request_id,
            group_key=f"{TYPE}-{group_id}",
        )


async def role_given(
    store: Store, conn: Connection, group_id: int, account_id: int, role: str
) -> None:
    """In the transaction that gives a member ``role``: when it decides join requests, a
    notification of each request still pending, as the moderators had when it came, except
    those the member was already told of (an admin made a moderator, say); when it does not,
    the notifications the member had of them go."""
    if role not in DECIDING_ROLES:
        await forget_decider(conn, group_id, account_id)
        return
    told = select(notifications.c.follow_request_id).where(
        notifications.c.account_id == account_id,
        notifications.c.type == TYPE,
        notifications.c.follow_request_id.is_not(None),
    )
    pending = await conn.fetch_all(
        select(follow_requests.c.id, follow_requests.c.account_id)
        .where(
            follow_requests.c.target_account_id == group_id,
            follow_requests.c.id.not_in(told),
        )
        .order_by(follow_requests.c.id)
    )
    for request_id, asker_id in ((int(r[0]), int(r[1])) for r in pending):
        await notify(
            store,
            conn,
            account_id=account_id,
            from_account_id=asker_id,
            type=TYPE,
            follow_request_id=request_id,
            group_key=f"{TYPE}-{group_id}",
        )


async def forget_decider(conn: Connection, group_id: int, account_id: int) -> None:
    """In the transaction that ends a member's part in deciding (a plain role again, or their
    membership's follow gone): the notifications of the group's pending requests they had."""
    requests = select(follow_requests.c.id).where(follow_requests.c.target_account_id == group_id)
    await conn.execute(
        delete(notifications).where(
            notifications.c.account_id == account_id,
            notifications.c.type == TYPE,
            notifications.c.follow_request_id.in_(requests),
        )
    )


async def groups_of_requests(store: Store, request_ids: Collection[int]) -> dict[int, int]:
    """The group each of some pending join requests is to, by request id."""
    if not request_ids:
        return {}
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(follow_requests.c.id, follow_requests.c.target_account_id).where(
                follow_requests.c.id.in_(list(request_ids))
            )
        )
    return {int(r[0]): int(r[1]) for r in rows}
