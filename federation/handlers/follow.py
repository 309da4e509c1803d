"""Follow: a remote actor follows a local account; accepted at once unless it is locked
(or the follower's domain is silenced: then it is a request).

A repeated Follow changes nothing but is answered with Accept again, since the peer may
have missed our first one.
"""

from __future__ import annotations

from databases.core import Connection
from sqlalchemy import Table, select

from activitypub.vocab import Activity
from federation.groups import join_refusal
from federation.handlers.base import Context, local_target
from fediverse.groups import Group, group_on
from fediverse.relationships import receive_follow
from fediverse.remote import AccountRef
from fediverse.remote_relations import is_blocked_by
from fediverse.storage.tables import follow_requests, follows


async def handle(ctx: Context, activity: Activity) -> None:
    async with ctx.store.write() as conn:
        target = await local_target(conn, activity.object_id)
        if target is None or target.suspended_at is not None:
            return
        if await is_blocked_by(conn, ctx.actor.id, target.id):
            await ctx.federate(conn, _reject(ctx, target, activity.id))
            return
        group = await group_on(conn, target.id)
        if group is not None:
            await _join_group(ctx, conn, group, target, activity)
            return
        follow_id = await _existing(conn, follows, ctx.actor, target)
        if follow_id is not None:
            await ctx.federate(conn, _accept_again(follow_id, activity.id))
            return
        if await _existing(conn, follow_requests, ctx.actor, target) is None:
            silenced = await ctx.fed.policy.silences(ctx.actor.domain or "")
            await receive_follow(
                ctx.store, conn, ctx.actor.id, target.id, activity.id, needs_approval=silenced
            )


async def _join_group(
    ctx: Context, conn: Connection, group: Group, target: AccountRef, activity: Activity
) -> None:
    """Joining a group is following it: refused by the group's rules, else as a follow."""
    follow_id = await _existing(conn, follows, ctx.actor, target)
    if follow_id is not None:
        await ctx.federate(conn, _accept_again(follow_id, activity.id))
        return
    if await _existing(conn, follow_requests, ctx.actor, target) is not None:
        return
    refusal = await join_refusal(ctx.fed, conn, group, ctx.actor, activity.id)
    if refusal is not None:
        await ctx.federate(conn, {**_reject(ctx, target, activity.id), "reason": refusal})


async def _existing(
    conn: Connection, table: Table, follower: AccountRef, target: AccountRef
) -> int | None:
    value = await conn.fetch_val(
        select(table.c.id).where(
            table.c.account_id == follower.id, table.c.target_account_id == target.id
        )
    )
    return None if value is None else int(value)


def _reject(ctx: Context, target: AccountRef, uri: str | None) -> dict[str, object]:
    return {
        "kind": "reject_follow",
        "account_id": target.id,
        "target_account_id": ctx.actor.id,
        "uri": uri,
    }


def _accept_again(follow_id: int, follow_uri: str | None) -> dict[str, object]:
    """An Accept of a repeated Follow, naming that Follow: the peer may have lost the follow
    (say, its admins suspended us for a while) and dropped our first Accept as a replay."""
    return {"kind": "accept_follow", "follow_id": follow_id, "follow_uri": follow_uri}
