"""Like: a favourite of one of our statuses."""

from __future__ import annotations

from activitypub.vocab import Activity
from federation.handlers.base import Context
from fediverse.notifications import notify
from fediverse.remote_statuses import add_favourite, status_by_uri


async def handle(ctx: Context, activity: Activity) -> None:
    async with ctx.store.write() as conn:
        status = await status_by_uri(conn, activity.object_id or "")
        if status is None or not status.local or status.local_only:
            return  # Mastodon keeps favourites of its own statuses only
        created = await add_favourite(ctx.store, conn, ctx.actor.id, status.id, activity.id)
        if created is not None:
            await notify(
                ctx.store,
                conn,
                account_id=status.account_id,
                from_account_id=ctx.actor.id,
                type="favourite",
                status_id=status.id,
            )
