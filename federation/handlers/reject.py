"""Reject (of our Follow, or ending one that was accepted)."""

from __future__ import annotations

from activitypub.vocab import Activity
from federation.handlers.base import Context, local_target
from fediverse.remote_relations import follow_pair_by_uri, remove_follow, remove_follow_request


async def handle(ctx: Context, activity: Activity) -> None:
    followed = activity.object
    async with ctx.store.write() as conn:
        pair = await follow_pair_by_uri(conn, activity.object_id or "")
        if pair is None and isinstance(followed, Activity) and followed.type == "Follow":
            follower = await local_target(conn, followed.actor)
            pair = (follower.id, ctx.actor.id) if follower else None
        if pair is None or pair[1] != ctx.actor.id:
            return
        await remove_follow_request(conn, *pair)
        await remove_follow(conn, *pair)
