"""Block: a remote actor blocks a local account; follows both ways end."""

from __future__ import annotations

from activitypub.vocab import Activity
from federation.handlers.base import Context, local_target
from fediverse.remote_relations import add_block


async def handle(ctx: Context, activity: Activity) -> None:
    async with ctx.store.write() as conn:
        target = await local_target(conn, activity.object_id)
        if target is not None:
            await add_block(ctx.store, conn, ctx.actor.id, target.id, activity.id)
