"""Delete: of a post or boost (by id or Tombstone), or of the whole actor."""

from __future__ import annotations

from sqlalchemy import delete as sql_delete

from activitypub.vocab import Activity
from federation.handlers.base import Context
from fediverse.remote import mark_suspended
from fediverse.remote_statuses import delete_remote_status, delete_statuses_of
from fediverse.storage.tables import follow_requests, follows


async def handle(ctx: Context, activity: Activity) -> None:
    object_id = activity.object_id
    if object_id is None:
        return
    async with ctx.store.write() as conn:
        if object_id == ctx.actor.uri:
            await _delete_actor(ctx, conn)
            return
        # Unknown ids are fine: Mastodon sends Deletes to everyone who might have the post.
        await delete_remote_status(conn, object_id, ctx.actor.id)


async def _delete_actor(ctx: Context, conn: object) -> None:
    account_id = ctx.actor.id
    await mark_suspended(conn, account_id)  # type: ignore[arg-type]
    await delete_statuses_of(conn, account_id)  # type: ignore[arg-type]
    for table in (follows, follow_requests):
        await conn.execute(  # type: ignore[attr-defined]
            sql_delete(table).where(
                (table.c.account_id == account_id) | (table.c.target_account_id == account_id)
            )
        )
    if ctx.actor.public_key_id:
        ctx.fed.actors.keys.drop(ctx.actor.public_key_id)
