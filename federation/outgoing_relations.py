"""``Outgoing`` for the kinds of ``federate`` job that concern relations: follows, accepts,
rejects, favourites, blocks, and their undoing."""

from __future__ import annotations

import hashlib
from typing import Any

from databases.core import Connection
from sqlalchemy import Table, select, update

from activitypub.vocab import RawObject
from activitypub.vocab.build import (
    build_accept,
    build_activity,
    build_block,
    build_follow,
    build_like,
    build_reject,
    build_undo,
)
from federation.outgoing import Outgoing
from federation.service import Federation
from fediverse.remote import AccountRef, account_by_id
from fediverse.storage.tables import blocks, favourites, follow_requests, follows, statuses


async def _pair(
    conn: Connection, account_id: Any, target_id: Any
) -> tuple[AccountRef, AccountRef] | None:
    """(local actor, remote target), or None when the target is not remote after all."""
    actor = await account_by_id(conn, int(account_id))
    target = await account_by_id(conn, int(target_id))
    if actor is None or target is None or not actor.is_local or target.is_local:
        return None
    return actor, target


def _inbox(account: AccountRef) -> list[str]:
    return [account.inbox_url] if account.inbox_url else []


async def _row(conn: Connection, table: Table, row_id: Any) -> dict[str, Any] | None:
    row = await conn.fetch_one(select(table).where(table.c.id == int(row_id)))
    return None if row is None else dict(row._mapping)


async def _ensure_uri(conn: Connection, table: Table, row: dict[str, Any], uri: str) -> str:
    """Our activity ids are kept on the row, so the peer's Accept or Undo can be matched."""
    if row["uri"]:
        return str(row["uri"])
    await conn.execute(update(table).where(table.c.id == row["id"]).values(uri=uri))
    return uri


async def follow(fed: Federation, conn: Connection, payload: dict[str, Any]) -> Outgoing | None:
    row = await _row(conn, follow_requests, payload["follow_request_id"])
    pair = row and await _pair(conn, row["account_id"], row["target_account_id"])
    if not row or not pair:
        return None
    actor, target = pair
    uri = await _ensure_uri(conn, follow_requests, row, f"{actor.uri}#follows/{row['id']}")
    return Outgoing(actor.id, build_follow(uri, actor.uri, target.uri), _inbox(target))


def _follow_object(uri: str, follower: str, followed: str) -> RawObject:
    return build_activity("Follow", activity_id=uri, actor=follower, object=followed)


async def unfollow(fed: Federation, conn: Connection, payload: dict[str, Any]) -> Outgoing | None:
    pair = await _pair(conn, payload["account_id"], payload["target_account_id"])
    if not pair or not payload.get("uri"):
        return None
    actor, target = pair
    inner = _follow_object(str(payload["uri"]), actor.uri, target.uri)
    undo = build_undo(f"{payload['uri']}/undo", actor.uri, inner)
    return Outgoing(actor.id, undo, _inbox(target))


async def accept_follow(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    row = await _row(conn, follows, payload["follow_id"])
    pair = row and await _pair(conn, row["target_account_id"], row["account_id"])
    if not row or not pair:
        return None
    actor, follower = pair
    uri = await _ensure_uri(conn, follows, row, f"{follower.uri}#follows/{row['id']}")
    accept_id = f"{actor.uri}#accepts/follows/{row['id']}"
    again = str(payload.get("follow_uri") or uri)
    if again != uri:  # a repeated Follow: its own Accept, under a new id
        accept_id += "/" + hashlib.sha256(again.encode()).hexdigest()[:16]
        uri = again
    inner = _follow_object(uri, follower.uri, actor.uri)
    accept = build_accept(accept_id, actor.uri, inner)
    return Outgoing(actor.id, accept, _inbox(follower))


async def reject_follow(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    """Reject a request, or remove a follower: both are a Reject of their Follow."""
    pair = await _pair(conn, payload["account_id"], payload["target_account_id"])
    if not pair:
        return None
    actor, follower = pair
    uri = str(payload.get("uri") or f"{follower.uri}#follows/unknown")
    inner = _follow_object(uri, follower.uri, actor.uri)
    reject_id = f"{actor.uri}#rejects/{hashlib.sha256(uri.encode()).hexdigest()[:16]}"
    reject = build_reject(reject_id, actor.uri, inner)
    if payload.get("reason"):
        reject = {**reject, "summary": str(payload["reason"])}  # why, as Lemmy shows it
    return Outgoing(actor.id, reject, _inbox(follower))


async def _status_author(conn: Connection, status_id: Any) -> tuple[str, AccountRef] | None:
    row = await conn.fetch_one(
        select(statuses.c.uri, statuses.c.account_id).where(statuses.c.id == int(status_id))
    )
    author = row and await account_by_id(conn, int(row[1]))
    if not row or not author or author.is_local:
        return None
    return str(row[0]), author


async def favourite(fed: Federation, conn: Connection, payload: dict[str, Any]) -> Outgoing | None:
    row = await _row(conn, favourites, payload["favourite_id"])
    found = row and await _status_author(conn, row["status_id"])
    actor = row and await account_by_id(conn, int(row["account_id"]))
    if not row or not found or not actor or not actor.is_local:
        return None
    status_uri, author = found
    uri = await _ensure_uri(conn, favourites, row, f"{actor.uri}#likes/{row['id']}")
    return Outgoing(actor.id, build_like(uri, actor.uri, status_uri), _inbox(author))


async def unfavourite(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    found = await _status_author(conn, payload["status_id"])
    actor = await account_by_id(conn, int(payload["account_id"]))
    if not found or not actor or not actor.is_local or not payload.get("uri"):
        return None
    status_uri, author = found
    like = build_like(str(payload["uri"]), actor.uri, status_uri)
    return Outgoing(actor.id, build_undo(f"{payload['uri']}/undo", actor.uri, like), _inbox(author))


async def block(fed: Federation, conn: Connection, payload: dict[str, Any]) -> Outgoing | None:
    row = await _row(conn, blocks, payload["block_id"])
    pair = row and await _pair(conn, row["account_id"], row["target_account_id"])
    if not row or not pair:
        return None
    actor, target = pair
    uri = await _ensure_uri(conn, blocks, row, f"{actor.uri}#blocks/{row['id']}")
    return Outgoing(actor.id, build_block(uri, actor.uri, target.uri), _inbox(target))


async def unblock(fed: Federation, conn: Connection, payload: dict[str, Any]) -> Outgoing | None:
    pair = await _pair(conn, payload["account_id"], payload["target_account_id"])
    if not pair or not payload.get("uri"):
        return None
    actor, target = pair
    inner = build_block(str(payload["uri"]), actor.uri, target.uri)
    return Outgoing(
        actor.id, build_undo(f"{payload['uri']}/undo", actor.uri, inner), _inbox(target)
    )
