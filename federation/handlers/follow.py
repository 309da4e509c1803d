"""Follow: a remote actor follows a local account; accepted at once unless it is locked."""

from __future__ import annotations

from sqlalchemy import select

from activitypub.vocab import Activity
from federation.handlers.base import Context, local_target
from fediverse.remote import AccountRef
from fediverse.remote_relations import add_follow, add_follow_request, is_blocked_by, notify
from fediverse.storage.tables import follows


async def handle(ctx: Context, activity: Activity) -> None:
    async with ctx.store.write() as conn:
        target = await local_target(conn, activity.object_id)
        if target is None or target.suspended_at is not None:
            return
        if await is_blocked_by(conn, ctx.actor.id, target.id):
            await ctx.federate(conn, _reject(ctx, target, activity.id))
            return
        if target.locked and not await _follows_already(ctx, conn, target):
            created = await add_follow_request(
                ctx.store, conn, ctx.actor.id, target.id, activity.id
            )
            kind = "follow_request"
        else:
            created = await add_follow(ctx.store, conn, ctx.actor.id, target.id, activity.id)
            kind = "follow"
            follow_id = created or await _follow_id(ctx, conn, target)
            # Answered again when it is a repeat: the peer may have missed our first Accept.
            await ctx.federate(conn, {"kind": "accept_follow", "follow_id": follow_id})
        if created is not None:
            await notify(
                ctx.store, conn, account_id=target.id, from_account_id=ctx.actor.id, type=kind
            )


async def _follow_id(ctx: Context, conn: object, target: AccountRef) -> int:
    value = await conn.fetch_val(  # type: ignore[attr-defined]
        select(follows.c.id).where(
            follows.c.account_id == ctx.actor.id, follows.c.target_account_id == target.id
        )
    )
    return int(value)


async def _follows_already(ctx: Context, conn: object, target: AccountRef) -> bool:
    value = await conn.fetch_val(  # type: ignore[attr-defined]
        select(follows.c.id).where(
            follows.c.account_id == ctx.actor.id, follows.c.target_account_id == target.id
        )
    )
    return value is not None


def _reject(ctx: Context, target: AccountRef, uri: str | None) -> dict[str, object]:
    return {
        "kind": "reject_follow",
        "account_id": target.id,
        "target_account_id": ctx.actor.id,
        "uri": uri,
    }
