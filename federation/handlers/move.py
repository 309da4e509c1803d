"""Move: a remote account moved; its local followers follow the new account instead."""

from __future__ import annotations

from sqlalchemy import update

from activitypub.errors import ActivityPubError
from activitypub.vocab import Activity, parse_actor_document
from federation.errors import FetchError
from federation.handlers.base import Context
from fediverse.remote_relations import add_follow_request, local_followers_of, remove_follow
from fediverse.storage.tables import accounts


async def handle(ctx: Context, activity: Activity) -> None:
    if activity.object_id != ctx.actor.uri or activity.target is None:
        return
    try:
        document = await ctx.fed.fetcher.fetch_object(activity.target)
        new_actor = parse_actor_document(document)
    except (FetchError, ActivityPubError):
        return
    if ctx.actor.uri not in new_actor.also_known_as:
        return  # the new account must name the old one, or anyone could steal followers
    new_account = await ctx.fed.actors.store_actor(new_actor)
    async with ctx.store.write() as conn:
        await conn.execute(
            update(accounts)
            .where(accounts.c.id == ctx.actor.id)
            .values(moved_to_account_id=new_account.id)
        )
        for follower_id in await local_followers_of(conn, ctx.actor.id):
            await remove_follow(conn, follower_id, ctx.actor.id)
            request_id = await add_follow_request(
                ctx.store, conn, follower_id, new_account.id, None
            )
            if request_id is not None:
                await ctx.federate(conn, {"kind": "follow", "follow_request_id": request_id})
