"""Add and Remove of a post in the actor's featured collection (pinned posts)."""

from __future__ import annotations

from sqlalchemy import select

from activitypub.vocab import Activity
from federation.handlers.base import Context
from fediverse.remote_statuses import set_pinned, status_by_uri
from fediverse.storage.tables import accounts


async def set_featured(ctx: Context, activity: Activity, pinned: bool) -> None:
    async with ctx.store.write() as conn:
        featured = await conn.fetch_val(
            select(accounts.c.featured_url).where(accounts.c.id == ctx.actor.id)
        )
        if featured is None or activity.target != featured:
            return  # moderators of a group and other collections are not pins
        status = await status_by_uri(conn, activity.object_id or "")
        if status is None or status.account_id != ctx.actor.id:
            return
        await set_pinned(ctx.store, conn, ctx.actor.id, status.id, pinned)
