"""Update: an edited post (newer ``updated`` wins) or the actor's own new profile."""

from __future__ import annotations

from activitypub.vocab import Activity, Actor, Note
from federation.handlers.base import Context
from federation.incoming import status_from_ap
from fediverse.remote_statuses import update_remote_status


async def handle(ctx: Context, activity: Activity) -> None:
    obj = activity.object
    if isinstance(obj, Actor):
        if obj.id == ctx.actor.uri:
            await ctx.fed.actors.store_actor(obj)
        return
    if not isinstance(obj, Note) or obj.author != ctx.actor.uri or obj.updated is None:
        return
    status = status_from_ap(obj, ctx.actor, None, [])
    async with ctx.store.write() as conn:
        await update_remote_status(ctx.store, conn, status)
