"""Accept (of our Follow): the follow request becomes a follow."""

from __future__ import annotations

from activitypub.vocab import Activity
from federation.handlers.base import Context, local_target
from fediverse.remote_relations import accept_follow_request, follow_pair_by_uri


async def handle(ctx: Context, activity: Activity) -> None:
    followed = activity.object
    async with ctx.store.write() as conn:
        pair = await follow_pair_by_uri(conn, activity.object_id or "")
        if pair is None and isinstance(followed, Activity) and followed.type == "Follow":
            # Some servers answer with a Follow of their own making: match by the two actors.
            follower = await local_target(conn, followed.actor)
            pair = (follower.id, ctx.actor.id) if follower else None
        if pair is None or pair[1] != ctx.actor.id:
            return  # only the followed may accept, and only what was asked
        await accept_follow_request(ctx.store, conn, pair[0], pair[1])
