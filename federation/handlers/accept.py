"""Accept (of our Follow): the follow request becomes a follow."""

from __future__ import annotations

from databases.core import Connection
from sqlalchemy import select

from activitypub.vocab import Activity
from federation.groups import backfill, is_group_actor
from federation.handlers.base import Context, local_target
from fediverse.relationships import accept_follow_request
from fediverse.storage.tables import follow_requests


async def handle(ctx: Context, activity: Activity) -> None:
    async with ctx.store.write() as conn:
        request_id = await _request(ctx, conn, activity)
        if request_id is not None:
            await accept_follow_request(ctx.store, conn, request_id)
    if request_id is not None and await is_group_actor(ctx.fed, ctx.actor):
        await backfill(ctx.fed, ctx.actor)  # a new member reads the group's earlier posts


async def _request(ctx: Context, conn: Connection, activity: Activity) -> int | None:
    """Our pending request to the accepting actor: by the Follow's id, or by the two actors
    when the peer answers with a Follow of its own making. Only the followed may accept."""
    where = follow_requests.c.uri == (activity.object_id or "")
    followed = activity.object
    if isinstance(followed, Activity) and followed.type == "Follow":
        follower = await local_target(conn, followed.actor)
        if follower is not None:
            where = where | (follow_requests.c.account_id == follower.id)
    value = await conn.fetch_val(
        select(follow_requests.c.id).where(
            where, follow_requests.c.target_account_id == ctx.actor.id
        )
    )
    return None if value is None else int(value)
