"""What goes out: an ``Outgoing`` (who signs, what, to which inboxes) for each kind of
``federate`` job that concerns statuses. Relations are in ``outgoing_relations``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from databases.core import Connection

from activitypub.vocab import PUBLIC, RawObject
from activitypub.vocab.build import build_activity, build_undo, build_update
from federation.local import LoadedStatus, LocalActor, load_status, local_actor
from federation.serialize import (
    to_actor_ap,
    to_announce_ap,
    to_create_ap,
    to_delete_ap,
    to_update_ap,
)
from federation.service import Federation
from fediverse.remote import (
    AccountRef,
    account_by_id,
    delivery_inboxes_for_status,
    followed_inboxes,
    follower_inboxes,
    recently_reached_inboxes,
)
from fediverse.remote_statuses import status_by_uri


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One activity, signed by ``account_id``, for each of ``inboxes``."""

    account_id: int
    activity: RawObject
    inboxes: list[str]


Builder = Callable[[Federation, Connection, dict[str, Any]], Awaitable[Outgoing | None]]


def _federated(loaded: LoadedStatus | None) -> bool:
    return (
        loaded is not None
        and loaded.author["domain"] is None
        and not loaded.row["local_only"]
        and loaded.row["deleted_at"] is None
    )


async def status_create(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    loaded = await load_status(conn, int(payload["status_id"]))
    if loaded is None or not _federated(loaded):
        return None
    if loaded.row["reblog_of_id"] is not None:
        return await reblog(fed, conn, payload)
    inboxes = await delivery_inboxes_for_status(conn, loaded.row["id"])
    return Outgoing(loaded.row["account_id"], to_create_ap(loaded, fed.base_url), inboxes)


async def status_update(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    loaded = await load_status(conn, int(payload["status_id"]))
    if loaded is None or not _federated(loaded):
        return None
    inboxes = await delivery_inboxes_for_status(conn, loaded.row["id"])
    return Outgoing(loaded.row["account_id"], to_update_ap(loaded, fed.base_url), inboxes)


async def status_delete(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    """Delete goes to everyone who got the original: the inboxes computed before deleting,
    or, when the caller could not, every follower's."""
    author = await account_by_id(conn, int(payload["account_id"]))
    if author is None or not author.is_local:
        return None
    inboxes = list(payload.get("inboxes") or [])
    if not inboxes:
        inboxes = await follower_inboxes(conn, author.id)
    return Outgoing(author.id, to_delete_ap(author.uri, str(payload["uri"])), sorted(set(inboxes)))


async def _boosted_author_inbox(conn: Connection, reblog_of_id: int | None) -> list[str]:
    if reblog_of_id is None:
        return []
    original = await load_status(conn, reblog_of_id)
    if original is None or original.author["domain"] is None:
        return []
    inbox = original.author["shared_inbox_url"] or original.author["inbox_url"]
    return [inbox] if inbox else []


async def reblog(fed: Federation, conn: Connection, payload: dict[str, Any]) -> Outgoing | None:
    loaded = await load_status(conn, int(payload["status_id"]))
    if loaded is None or not _federated(loaded) or loaded.reblog_of_uri is None:
        return None
    original = await status_by_uri(conn, loaded.reblog_of_uri)
    if original is None or original.local_only:
        return None
    inboxes = await follower_inboxes(conn, loaded.row["account_id"])
    inboxes += await _boosted_author_inbox(conn, loaded.row["reblog_of_id"])
    return Outgoing(loaded.row["account_id"], to_announce_ap(loaded), sorted(set(inboxes)))


async def unreblog(fed: Federation, conn: Connection, payload: dict[str, Any]) -> Outgoing | None:
    actor = await account_by_id(conn, int(payload["account_id"]))
    if actor is None or not actor.is_local or not payload.get("uri"):
        return None
    original = await load_status(conn, int(payload["status_id"]))
    object_uri = original.row["uri"] if original else ""
    announce = build_activity(
        "Announce", activity_id=str(payload["uri"]), actor=actor.uri, object=object_uri
    )
    inboxes = await follower_inboxes(conn, actor.id)
    inboxes += await _boosted_author_inbox(conn, payload.get("status_id"))
    undo = build_undo(f"{payload['uri']}/undo", actor.uri, announce)
    undo["to"] = [PUBLIC]
    return Outgoing(actor.id, undo, sorted(set(inboxes)))


async def actor_update(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    account = await account_by_id(conn, int(payload["account_id"]))
    if account is None or not account.is_local:
        return None
    actor = await local_actor(conn, account.username, fed.base_url)
    if actor is None:
        return None
    return await _actor_update_of(fed, conn, account, actor)


async def actor_suspension(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    """A local account suspended or unsuspended: its actor document as it is now (minimal
    and ``suspended`` while it lasts), to its followers' servers and the servers of the
    accounts it follows, and those of the accounts its recent posts mentioned or answered,
    as Mastodon tells everyone it reaches (``AccountReachFinder``)."""
    account = await account_by_id(conn, int(payload["account_id"]))
    if account is None or not account.is_local:
        return None
    actor = await local_actor(conn, account.username, fed.base_url, suspended=True)
    if actor is None:
        return None
    found = await _actor_update_of(fed, conn, account, actor)
    if found is None:
        return None
    inboxes = found.inboxes + await followed_inboxes(conn, account.id)
    inboxes += await recently_reached_inboxes(conn, account.id)
    return replace(found, inboxes=sorted(set(inboxes)))


async def _actor_update_of(
    fed: Federation, conn: Connection, account: AccountRef, actor: LocalActor
) -> Outgoing | None:
    document = to_actor_ap(actor, await fed.multikey(account.id))
    if actor.row["actor_type"] == "Group":
        from federation.groups import group_actor_fields  # groups builds on this module

        fields = await group_actor_fields(conn, account.id)
        if fields is None:
            return None  # an internal group tells no other server anything
        if actor.row["suspended_at"] is None:
            document = {**document, **fields}
    stamp = actor.row["updated_at"]
    update = build_update(f"{account.uri}#updates/{stamp}", account.uri, document)
    return Outgoing(account.id, update, await follower_inboxes(conn, account.id))
