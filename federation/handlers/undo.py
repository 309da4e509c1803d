"""Undo of the actor's own Follow, Like, Announce, Block or Accept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from databases.core import Connection
from sqlalchemy import select

from activitypub.vocab import Activity
from federation.handlers.base import Context, local_target
from fediverse.remote_relations import (
    follow_pair_by_uri,
    remove_block,
    remove_follow,
    remove_follow_request,
)
from fediverse.remote_statuses import remove_favourite, remove_reblog, status_by_uri
from fediverse.storage.tables import favourites

Undoer = Callable[[Context, Connection, Activity | str], Awaitable[None]]


async def _undo_follow(ctx: Context, conn: Connection, inner: Activity | str) -> None:
    if isinstance(inner, str):
        pair = await follow_pair_by_uri(conn, inner)
        target_id = pair[1] if pair and pair[0] == ctx.actor.id else None
    else:
        target = await local_target(conn, inner.object_id)
        target_id = target.id if target else None
    if target_id is not None:
        await remove_follow_request(conn, ctx.actor.id, target_id)
        await remove_follow(conn, ctx.actor.id, target_id)


async def _undo_like(ctx: Context, conn: Connection, inner: Activity | str) -> None:
    if isinstance(inner, str):
        status_id = await conn.fetch_val(
            select(favourites.c.status_id).where(
                favourites.c.uri == inner, favourites.c.account_id == ctx.actor.id
            )
        )
    else:
        status = await status_by_uri(conn, inner.object_id or "")
        status_id = status.id if status else None
    if status_id is not None:
        await remove_favourite(conn, ctx.actor.id, int(status_id))


async def _undo_announce(ctx: Context, conn: Connection, inner: Activity | str) -> None:
    uri = inner if isinstance(inner, str) else inner.id
    await remove_reblog(conn, ctx.actor.id, uri, None)


async def _undo_block(ctx: Context, conn: Connection, inner: Activity | str) -> None:
    if isinstance(inner, str):
        return  # a bare id names no target; Mastodon sends the Block embedded
    target = await local_target(conn, inner.object_id)
    if target is not None:
        await remove_block(conn, ctx.actor.id, target.id)


async def _undo_accept(ctx: Context, conn: Connection, inner: Activity | str) -> None:
    """The followed takes back an Accept: our local follower no longer follows."""
    if isinstance(inner, str) or not isinstance(inner.object, Activity):
        return
    follower = await local_target(conn, inner.object.actor)
    if follower is not None:
        await remove_follow(conn, follower.id, ctx.actor.id)


UNDOERS: dict[str, Undoer] = {
    "Follow": _undo_follow,
    "Like": _undo_like,
    "Announce": _undo_announce,
    "Block": _undo_block,
    "Accept": _undo_accept,
}


async def handle(ctx: Context, activity: Activity) -> None:
    inner = activity.object
    if isinstance(inner, str):
        kind = await _kind_of_known(ctx, inner)
    else:
        kind = inner.type if isinstance(inner, Activity) else ""
    undoer = UNDOERS.get(kind)
    if undoer is None or not isinstance(inner, Activity | str):
        return
    async with ctx.store.write() as conn:
        await undoer(ctx, conn, inner)


async def _kind_of_known(ctx: Context, uri: str) -> str:
    """An Undo naming its activity by id only: find what that id was here."""
    async with ctx.store.read() as conn:
        if await follow_pair_by_uri(conn, uri) is not None:
            return "Follow"
        liked = await conn.fetch_val(select(favourites.c.id).where(favourites.c.uri == uri))
        if liked is not None:
            return "Like"
    return "Announce"
