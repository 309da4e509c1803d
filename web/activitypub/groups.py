"""Group actors as other servers see them: the actor's extra fields, its moderators, its
outbox of announces (members' servers only), and who may fetch a group's posts.

An internal group does not exist for other servers: its actor, WebFinger and collections
answer 404.
"""

from __future__ import annotations

from typing import Any

from databases.core import Connection
from sqlalchemy import func, or_, select
from starlette.requests import Request
from starlette.responses import Response

from federation.actors import VerifyingKey
from federation.groups import announce
from federation.groups import group_actor_fields as federation_group_fields
from federation.local import LoadedStatus, load_status, local_actor
from federation.policy import domain_of
from federation.serialize import to_create_ap
from federation.service import Federation
from fediverse.errors import NotFoundError
from fediverse.groups import Group, group_on, moderator_uris
from fediverse.storage.tables import accounts, follows, statuses
from web.activitypub.common import activity_response, federation_of

PAGE_SIZE = 20
# local_only is our own authors' choice; remote posts carry the column's default.
FEDERATED = or_(statuses.c.local_only.is_(False), statuses.c.local.is_(False))
CONTEXT = "https://www.w3.org/ns/activitystreams"


async def served_group(conn: Connection, account_id: int) -> Group:
    """The local group other servers may see; 404 for an internal one."""
    group = await group_on(conn, account_id)
    if group is None or not group.is_local or group.privacy == "internal":
        raise NotFoundError("no such account")
    return group


async def group_actor_fields(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    """What a Group actor adds to a Person's document; 404 for an internal group."""
    fields = await federation_group_fields(conn, int(row["id"]))
    if fields is None:
        raise NotFoundError("no such account")
    return fields


async def peer_has_member(conn: Connection, group_id: int, peer_domain: str) -> bool:
    found = await conn.fetch_val(
        select(func.count())
        .select_from(follows.join(accounts, accounts.c.id == follows.c.account_id))
        .where(follows.c.target_account_id == group_id, accounts.c.domain == peer_domain)
    )
    return bool(found)


async def group_fetch_decision(
    fed: Federation, loaded: LoadedStatus, peer: VerifyingKey
) -> bool | None:
    """Whether a server may fetch a group's post: for our groups, only servers with a member;
    for a remote group, its own server. None leaves it to the ordinary rules (no group, or
    a remote group whose members elsewhere we cannot know)."""
    group_id = loaded.row.get("group_id")
    if group_id is None:
        return None
    peer_domain = domain_of(peer.actor_uri)
    async with fed.runtime.store.read() as conn:
        group = await group_on(conn, int(group_id))
        if group is None:
            return None
        if not group.is_local:
            return True if (group.domain or "").lower() == peer_domain else None
        return await peer_has_member(conn, group.id, peer_domain)


async def _group_for(request: Request, fed: Federation) -> tuple[Group, dict[str, Any]]:
    async with fed.runtime.store.read() as conn:
        actor = await local_actor(conn, request.path_params["username"], fed.base_url)
        if actor is None or actor.row["actor_type"] != "Group":
            raise NotFoundError("no such group")
        return await served_group(conn, int(actor.row["id"])), actor.row


async def moderators_route(request: Request) -> Response:
    """A group's moderators, as the actors its ``attributedTo`` names (readable unsigned,
    like the actor document)."""
    fed = federation_of(request)
    group, _row = await _group_for(request, fed)
    async with fed.runtime.store.read() as conn:
        uris = await moderator_uris(conn, group.id)
    return activity_response(
        {
            "@context": CONTEXT,
            "id": f"{group.uri}/moderators",
            "type": "OrderedCollection",
            "totalItems": len(uris),
            "orderedItems": uris,
        }
    )


async def _page_ids(conn: Connection, group_id: int, max_id: int | None) -> list[int]:
    query = select(statuses.c.id).where(
        statuses.c.group_id == group_id,
        FEDERATED,
        statuses.c.deleted_at.is_(None),
        statuses.c.reblog_of_id.is_(None),
    )
    if max_id is not None:
        query = query.where(statuses.c.id < max_id)
    rows = await conn.fetch_all(query.order_by(statuses.c.id.desc()).limit(PAGE_SIZE))
    return [int(r[0]) for r in rows]


async def outbox(request: Request, fed: Federation, peer: VerifyingKey) -> Response:
    """The group's announces, newest first, for servers where it has members."""
    group, row = await _group_for(request, fed)
    outbox_url, followers = row["outbox_url"], row["followers_url"]
    async with fed.runtime.store.read() as conn:
        if not await peer_has_member(conn, group.id, domain_of(peer.actor_uri)):
            raise NotFoundError("no such collection")
        if not request.query_params.get("page"):
            return activity_response(
                {
                    "@context": CONTEXT,
                    "id": outbox_url,
                    "type": "OrderedCollection",
                    "totalItems": await _count(conn, group.id),
                    "first": f"{outbox_url}?page=true",
                }
            )
        raw_max = request.query_params.get("max_id", "")
        ids = await _page_ids(conn, group.id, int(raw_max) if raw_max.isdigit() else None)
        loaded = [await load_status(conn, i) for i in ids]
    items = [
        announce(group, followers, f"{group.uri}#announces/{s.row['id']}", s.row["uri"])
        if s.author["domain"] is not None
        else announce(
            group,
            followers,
            f"{group.uri}#announces/{s.row['id']}/activity",
            to_create_ap(s, fed.base_url),
        )
        for s in loaded
        if s is not None
    ]
    page: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"{outbox_url}?page=true" + (f"&max_id={raw_max}" if raw_max else ""),
        "type": "OrderedCollectionPage",
        "partOf": outbox_url,
        "orderedItems": items,
    }
    if len(ids) == PAGE_SIZE:
        page["next"] = f"{outbox_url}?page=true&max_id={ids[-1]}"
    return activity_response(page)


async def _count(conn: Connection, group_id: int) -> int:
    query = (
        select(func.count()).select_from(statuses).where(statuses.c.group_id == group_id, FEDERATED)
    )
    return int(await conn.fetch_val(query) or 0)
