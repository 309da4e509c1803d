"""Statuses and collections, behind authorized fetch: a signed GET from an allowed server.

Local-only statuses do not exist for other servers (404). Followers and following show
their counts only: who works with whom stays inside the municipality.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response

from federation.actors import VerifyingKey
from federation.inbox import verified_key
from federation.local import (
    LoadedStatus,
    count_public_statuses,
    load_status,
    local_actor,
    pinned_uris,
    public_status_ids,
    relation_count,
)
from federation.policy import domain_of
from federation.serialize import to_announce_ap, to_create_ap, to_note_ap
from federation.service import Federation
from fediverse.errors import NotFoundError
from fediverse.storage.tables import accounts, follows, mentions
from web.activitypub import groups
from web.activitypub.common import (
    activity_response,
    federation_of,
    minimal_page,
    signed_request,
    wants_activity_json,
)

PAGE_SIZE = 20


async def signed_peer(request: Request) -> VerifyingKey:
    """The verified key of the server asking; 401 without a good signature, 403 if refused."""
    return await verified_key(federation_of(request), signed_request(request, b""))


async def _status_for(request: Request) -> tuple[Federation, LoadedStatus]:
    fed = federation_of(request)
    async with fed.runtime.store.read() as conn:
        loaded = await load_status(conn, int(request.path_params["status_id"]))
    username = request.path_params["username"].lower()
    if (
        loaded is None
        or loaded.author["domain"] is not None
        or loaded.author["username"].lower() != username
        or loaded.row["local_only"]
        or loaded.row["deleted_at"] is not None
    ):
        raise NotFoundError("no such status")
    return fed, loaded


async def _may_see(fed: Federation, loaded: LoadedStatus, peer: VerifyingKey) -> bool:
    """Public and unlisted to any allowed server; private to followers' servers; direct to
    the servers of the mentioned. A group's posts only to servers where it has members."""
    visibility = loaded.row["visibility"]
    decided = await groups.group_fetch_decision(fed, loaded, peer)
    if decided is not None and visibility != "direct":
        return decided
    if visibility in ("public", "unlisted"):
        return True
    peer_domain = domain_of(peer.actor_uri)
    if visibility == "private":
        relation = select(func.count()).select_from(
            follows.join(accounts, accounts.c.id == follows.c.account_id)
        )
        where = follows.c.target_account_id == loaded.row["account_id"]
    else:
        relation = select(func.count()).select_from(
            mentions.join(accounts, accounts.c.id == mentions.c.account_id)
        )
        where = mentions.c.status_id == loaded.row["id"]
    async with fed.runtime.store.read() as conn:
        found = await conn.fetch_val(relation.where(where, accounts.c.domain == peer_domain))
    return bool(found)


async def status(request: Request) -> Response:
    fed, loaded = await _status_for(request)
    if not wants_activity_json(request):
        return minimal_page(loaded.author["display_name"] or loaded.author["username"])
    peer = await signed_peer(request)
    if not await _may_see(fed, loaded, peer):
        raise NotFoundError("no such status")
    if loaded.row["reblog_of_id"] is not None:
        return activity_response(to_announce_ap(loaded))
    return activity_response(to_note_ap(loaded, fed.base_url))


async def status_activity(request: Request) -> Response:
    fed, loaded = await _status_for(request)
    peer = await signed_peer(request)
    if loaded.row["reblog_of_id"] is not None or not await _may_see(fed, loaded, peer):
        raise NotFoundError("no such status")
    return activity_response(to_create_ap(loaded, fed.base_url))


async def _owner(request: Request) -> tuple[Federation, dict[str, Any]]:
    fed = federation_of(request)
    async with fed.runtime.store.read() as conn:
        actor = await local_actor(conn, request.path_params["username"], fed.base_url)
    if actor is None:
        raise NotFoundError("no such account")
    if actor.row["actor_type"] == "Group":
        async with fed.runtime.store.read() as conn:
            await groups.served_group(conn, int(actor.row["id"]))
    return fed, actor.row


def _collection(collection_id: str, total: int, **extra: Any) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total,
        **extra,
    }


async def followers(request: Request) -> Response:
    return await _relations(request, is_followers=True)


async def following(request: Request) -> Response:
    return await _relations(request, is_followers=False)


async def _relations(request: Request, *, is_followers: bool) -> Response:
    fed, row = await _owner(request)
    await signed_peer(request)
    async with fed.runtime.store.read() as conn:
        total = await relation_count(conn, row["id"], followers=is_followers)
    url = row["followers_url"] if is_followers else row["following_url"]
    return activity_response(_collection(url, total))


async def featured(request: Request) -> Response:
    fed, row = await _owner(request)
    await signed_peer(request)
    async with fed.runtime.store.read() as conn:
        uris = await pinned_uris(conn, row["id"])
        notes = [await _note_by_uri(conn, fed, uri) for uri in uris]
    items = [note for note in notes if note is not None]
    return activity_response(_collection(row["featured_url"], len(items), orderedItems=items))


async def _note_by_uri(conn: Any, fed: Federation, uri: str) -> dict[str, Any] | None:
    status_id = int(uri.rstrip("/").rsplit("/", 1)[-1])
    loaded = await load_status(conn, status_id)
    if loaded is None or loaded.row["visibility"] not in ("public", "unlisted"):
        return None
    return to_note_ap(loaded, fed.base_url)


async def outbox(request: Request) -> Response:
    fed, row = await _owner(request)
    peer = await signed_peer(request)
    if row["actor_type"] == "Group":
        return await groups.outbox(request, fed, peer)
    outbox_url = row["outbox_url"]
    max_id = request.query_params.get("max_id", "")
    async with fed.runtime.store.read() as conn:
        if not request.query_params.get("page"):
            total = await count_public_statuses(conn, row["id"])
            return activity_response(
                _collection(outbox_url, total, first=f"{outbox_url}?page=true")
            )
        ids = await public_status_ids(
            conn, row["id"], PAGE_SIZE, int(max_id) if max_id.isdigit() else None
        )
        items = [await _outbox_item(conn, fed, status_id) for status_id in ids]
    page: dict[str, Any] = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{outbox_url}?page=true" + (f"&max_id={max_id}" if max_id else ""),
        "type": "OrderedCollectionPage",
        "partOf": outbox_url,
        "orderedItems": [item for item in items if item is not None],
    }
    if len(ids) == PAGE_SIZE:
        page["next"] = f"{outbox_url}?page=true&max_id={ids[-1]}"
    return activity_response(page)


async def _outbox_item(conn: Any, fed: Federation, status_id: int) -> dict[str, Any] | None:
    loaded = await load_status(conn, status_id)
    if loaded is None:
        return None
    if loaded.row["reblog_of_id"] is not None:
        return to_announce_ap(loaded)
    return to_create_ap(loaded, fed.base_url)
