"""Actor documents: every local account as a Person, the instance as an Application."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from federation.local import local_actor
from federation.serialize import to_actor_ap
from fediverse.errors import NotFoundError
from web.activitypub.common import (
    activity_response,
    federation_of,
    minimal_page,
    wants_activity_json,
)
from web.activitypub.groups import group_actor_fields, served_group


async def _actor_response(request: Request, username: str) -> Response:
    fed = federation_of(request)
    async with fed.runtime.store.read() as conn:
        actor = await local_actor(conn, username, fed.base_url, suspended=True)
    if actor is None:
        raise NotFoundError("no such account")
    if actor.row["actor_type"] == "Group":
        async with fed.runtime.store.read() as conn:
            await served_group(conn, int(actor.row["id"]))
    suspended = actor.row["suspended_at"] is not None
    if not wants_activity_json(request):
        return minimal_page(
            actor.row["username"]
            if suspended
            else actor.row["display_name"] or actor.row["username"]
        )
    # Actor and key documents stay readable unsigned, so key fetches cannot deadlock; a
    # suspended account's too, so that other servers learn of it and can still verify it.
    multikey = await fed.multikey(actor.row["id"])
    document = to_actor_ap(actor, multikey)
    if actor.row["actor_type"] == "Group" and not suspended:
        async with fed.runtime.store.read() as conn:
            document = {**document, **await group_actor_fields(conn, actor.row)}
    return activity_response(document)


async def user_actor(request: Request) -> Response:
    return await _actor_response(request, request.path_params["username"])


async def instance_actor(request: Request) -> Response:
    return await _actor_response(request, federation_of(request).domain)
