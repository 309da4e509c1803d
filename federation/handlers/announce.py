"""Announce: a boost of a post, ours or one we can fetch when someone here follows the booster."""

from __future__ import annotations

from activitypub.addressing import Visibility, visibility_from_addressing
from activitypub.errors import ActivityPubError
from activitypub.vocab import Activity, parse_post_document
from federation.errors import FetchError
from federation.groups import is_group_actor, receive_announce
from federation.handlers.base import Context
from federation.incoming import store_note
from fediverse.feeds import fan_out
from fediverse.ids import now_ms
from fediverse.notifications import notify
from fediverse.remote_relations import has_local_followers
from fediverse.remote_statuses import StatusRef, add_reblog, status_by_uri


async def handle(ctx: Context, activity: Activity) -> None:
    if await is_group_actor(ctx.fed, ctx.actor):
        await receive_announce(ctx.fed, ctx.actor, activity)  # FEP-1b12: not a boost
        return
    if activity.id is None or isinstance(activity.object, Activity):
        return
    status = await _boosted(ctx, activity)
    if status is None or status.local_only or status.visibility not in ("public", "unlisted"):
        return
    async with ctx.store.write() as conn:
        reblog_id = await add_reblog(
            ctx.store,
            conn,
            account_id=ctx.actor.id,
            reblog_of=status,
            uri=activity.id,
            visibility=_visibility(ctx, activity),
            created_at=int(activity.published.timestamp() * 1000)
            if activity.published
            else now_ms(),
        )
        if reblog_id is not None:
            await fan_out(conn, reblog_id, ctx.actor.id, visibility="public", reblog=True)
        if reblog_id is not None and status.local:
            await notify(
                ctx.store,
                conn,
                account_id=status.account_id,
                from_account_id=ctx.actor.id,
                type="reblog",
                status_id=status.id,
            )


def _visibility(ctx: Context, activity: Activity) -> str:
    found = visibility_from_addressing(activity.to, activity.cc, ctx.actor.followers_url)
    return found.value if found in (Visibility.PUBLIC, Visibility.UNLISTED) else "private"


async def _boosted(ctx: Context, activity: Activity) -> StatusRef | None:
    uri = activity.object_id or ""
    async with ctx.store.read() as conn:
        status = await status_by_uri(conn, uri)
        followed = await has_local_followers(conn, ctx.actor.id)
    if status is not None or not followed:
        return status
    try:
        note = parse_post_document(await ctx.fed.fetcher.fetch_object(uri))
        if note.author is None:
            return None
        author = await ctx.fed.actors.by_uri(note.author)
    except (FetchError, ActivityPubError):
        return None
    return await store_note(ctx.fed, note, author, require_relevance=False)
