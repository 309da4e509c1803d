"""Groups over ActivityPub (FEP-1b12, as Lemmy, Friendica and NodeBB speak it).

Out: a local group announces each accepted post twice to its members' servers, once as
``Announce(Create)`` embedding the original activity unchanged (so an integrity proof on it
still verifies) and once as ``Announce`` of the post's id (what Mastodon understands);
a moderator's removal goes out as ``Announce(Delete)``.

In: a post for one of our groups is checked (member? banned?) and announced; an announce
from a remote group we are members of brings its post to our members' home feeds, once.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from databases.core import Connection
from sqlalchemy import select

from activitypub.errors import ActivityPubError
from activitypub.vocab import PUBLIC, Activity, Mention, Note, RawObject, parse_post_document
from activitypub.vocab.build import build_activity
from activitypub.vocab.fields import origin_of, same_origin
from federation.errors import FetchError, InvalidActivityError, PolicyRefusedError
from federation.incoming import note_of, store_note
from federation.local import load_status
from federation.outgoing import Outgoing
from federation.serialize import to_create_ap
from federation.service import Federation
from fediverse.errors import ForbiddenError
from fediverse.groups import Group, group_on, partner_refusal
from fediverse.groups_posting import check_poster, distribute, group_of_thread
from fediverse.remote import AccountRef, account_by_uri, follower_inboxes
from fediverse.remote_statuses import StatusRef, delete_remote_status, status_by_uri
from fediverse.storage.tables import accounts, follows, statuses

log = logging.getLogger(__name__)


# Out ----------------------------------------------------------------------------------


def _addressing(group: Group, followers: str) -> tuple[list[str], list[str]]:
    return ([followers], []) if group.privacy == "closed" else ([followers], [PUBLIC])


async def _local_group(conn: Connection, group_id: Any) -> tuple[Group, str] | None:
    group = await group_on(conn, int(group_id))
    if group is None or not group.is_local or not group.federated:
        return None
    followers = await conn.fetch_val(
        select(accounts.c.followers_url).where(accounts.c.id == group.id)
    )
    return group, str(followers or f"{group.uri}/followers")


def announce(group: Group, followers: str, activity_id: str, obj: str | RawObject) -> RawObject:
    """The group's Announce of ``obj``; an embedded activity is kept exactly as it came."""
    to, cc = _addressing(group, followers)
    document = dict(build_activity("Announce", activity_id=activity_id, actor=group.uri, object=""))
    document.update(to=to, cc=cc, object=obj)
    if not isinstance(obj, str):
        document["audience"] = group.uri
    return document


async def _announced_status(
    conn: Connection, payload: dict[str, Any]
) -> tuple[Group, str, Any] | None:
    found = await _local_group(conn, payload["group_id"])
    loaded = await load_status(conn, int(payload["status_id"]))
    if (
        found is None
        or loaded is None
        or (loaded.row["local_only"] and loaded.row["local"])
        or loaded.row["deleted_at"] is not None
        or loaded.row["group_id"] != found[0].id
    ):
        return None
    return found[0], found[1], loaded


async def announce_activity(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    """``Announce(Create)``: the original activity as received, or ours as we serve it."""
    found = await _announced_status(conn, payload)
    if found is None:
        return None
    group, followers, loaded = found
    original = payload.get("activity")
    if not isinstance(original, dict):
        if loaded.author["domain"] is not None:
            return None  # a remote post without its activity: the object announce carries it
        original = to_create_ap(loaded, fed.base_url)
    activity_id = f"{group.uri}#announces/{loaded.row['id']}/activity"
    inboxes = await follower_inboxes(conn, group.id)
    return Outgoing(group.id, announce(group, followers, activity_id, original), inboxes)


async def announce_object(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    """``Announce`` of the post's id, which Mastodon shows as the group boosting it."""
    found = await _announced_status(conn, payload)
    if found is None:
        return None
    group, followers, loaded = found
    activity_id = f"{group.uri}#announces/{loaded.row['id']}"
    inboxes = await follower_inboxes(conn, group.id)
    return Outgoing(group.id, announce(group, followers, activity_id, loaded.row["uri"]), inboxes)


async def announce_removal(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    """A moderator removed a post: ``Announce(Delete)`` to the members and the author."""
    found = await _local_group(conn, payload["group_id"])
    if found is None:
        return None
    group, followers = found
    uri = str(payload["uri"])
    digest = hashlib.sha256(uri.encode()).hexdigest()[:16]
    # The post by id: a Tombstone of another server's post is not the group's to vouch for.
    delete = build_activity(
        "Delete",
        activity_id=f"{group.uri}#removals/{digest}",
        actor=group.uri,
        object=uri,
        to=[followers],
    )
    activity_id = f"{group.uri}#announces/removals/{digest}"
    inboxes = list(payload.get("inboxes") or [])
    return Outgoing(group.id, announce(group, followers, activity_id, delete), inboxes)


async def group_actor_fields(conn: Connection, account_id: int) -> dict[str, Any] | None:
    """What a Group actor adds to a Person's document (as Lemmy shapes a community); None
    for an account that is no federated local group."""
    group = await group_on(conn, account_id)
    if group is None or not group.is_local or not group.federated:
        return None
    return {
        "attributedTo": f"{group.uri}/moderators",
        "moderators": f"{group.uri}/moderators",
        "postingRestrictedToMods": group.moderators_only_start_threads,
        "manuallyApprovesFollowers": group.privacy == "closed",
    }


# In: follows of our groups ----------------------------------------------------------------


async def join_refusal(
    fed: Federation, conn: Connection, group: Group, actor: AccountRef, uri: str | None
) -> str | None:
    """Why a remote actor's Follow of a local group is refused, or None when it was taken."""
    from fediverse.groups import receive_join

    refusal = partner_refusal(group, actor.domain)
    if refusal is None:
        refusal = await receive_join(
            fed.runtime.store, conn, group, actor.id, actor.domain or "", uri
        )
    if refusal is not None:
        log.info("group join refused", extra={"group": group.uri, "actor": actor.uri})
    return refusal


# In: posts for our groups ----------------------------------------------------------------


def _addressed(note: Note) -> list[str]:
    """Every actor a post names: audience, to, cc and mentions."""
    named = [*note.audience, *note.to, *note.cc]
    named += [t.href for t in note.tags if isinstance(t, Mention)]
    return list(dict.fromkeys(named))


async def _group_by_uris(conn: Connection, uris: list[str]) -> Group | None:
    for uri in uris:
        account = await account_by_uri(conn, uri)
        if account is not None:
            found = await group_on(conn, account.id)
            if found is not None:
                return found
    return None


async def group_for_note(conn: Connection, note: Note) -> tuple[Group | None, bool]:
    """The group a remote post is for, and whether it starts a thread."""
    if note.in_reply_to is not None:
        parent = await status_by_uri(conn, note.in_reply_to)
        group_id = await group_of_thread(conn, parent.id if parent else None)
        if group_id is not None:
            return await group_on(conn, group_id), False
    return await _group_by_uris(conn, _addressed(note)), note.in_reply_to is None


async def receive_post(ctx_fed: Federation, actor: AccountRef, activity: Activity) -> bool:
    """A Create for a group: refused, or stored and brought to the members. Returns False
    when the post is for no group at all (the ordinary path then stores it)."""
    try:
        note = note_of(activity.object, actor.uri)
    except InvalidActivityError:
        return False
    store = ctx_fed.runtime.store
    async with store.read() as conn:
        group, new_thread = await group_for_note(conn, note)
        if group is None or not group.is_local:
            return False  # a remote group's post reaches us by the group's announce
        try:
            await check_poster(conn, group, actor.id, new_thread=new_thread)
        except ForbiddenError as exc:
            log.info("group post refused: %s", exc.message, extra={"uri": note.id})
            return True
    status = await store_note(ctx_fed, note, actor, require_relevance=False)
    if status is None:
        return True
    async with store.write() as conn:
        await distribute(
            store,
            conn,
            status.id,
            group,
            actor.id,
            local_only=False,
            activity=activity.raw if group.is_local else None,
        )
    return True


# In: announces of remote groups we are members of ----------------------------------------


async def is_group_actor(fed: Federation, account: AccountRef) -> bool:
    async with fed.runtime.store.read() as conn:
        kind = await conn.fetch_val(
            select(accounts.c.actor_type).where(accounts.c.id == account.id)
        )
    return bool(kind == "Group")


async def _has_local_members(conn: Connection, group_id: int) -> bool:
    found = await conn.fetch_val(
        select(follows.c.id)
        .select_from(follows.join(accounts, accounts.c.id == follows.c.account_id))
        .where(follows.c.target_account_id == group_id, accounts.c.domain.is_(None))
        .limit(1)
    )
    return found is not None


async def _trusted_note(fed: Federation, group: AccountRef, obj: object) -> Note | None:
    """The post an announce carries: taken as embedded when it lives on the group's server,
    fetched from its own server otherwise. When that server will not show it to us (a
    members-only post, whose server cannot know the group's members here), the group
    vouches for a post addressed to itself, as FEP-1b12 has groups relay their members."""
    if isinstance(obj, Note) and same_origin(obj.id, group.uri):
        return obj
    uri = obj if isinstance(obj, str) else getattr(obj, "id", None)
    if not isinstance(uri, str) or origin_of(uri) is None:
        return None
    try:
        await fed.policy.check_url(uri)
        return parse_post_document(await fed.fetcher.fetch_object(uri))
    except PolicyRefusedError:
        return None
    except (FetchError, ActivityPubError):
        if isinstance(obj, Note) and group.uri in _addressed(obj):
            return obj
        return None


async def _post_of_announce(fed: Federation, group: AccountRef, inner: object) -> StatusRef | None:
    uri = inner if isinstance(inner, str) else getattr(inner, "id", None)
    if isinstance(uri, str):
        async with fed.runtime.store.read() as conn:
            known = await status_by_uri(conn, uri)
        if known is not None:
            return known
    note = await _trusted_note(fed, group, inner)
    if note is None or note.author is None:
        return None
    try:
        author = await fed.actors.by_uri(note.author)
    except (FetchError, ActivityPubError, PolicyRefusedError):
        return None
    return await store_note(fed, note, author, require_relevance=False)


async def receive_announce(fed: Federation, group: AccountRef, activity: Activity) -> None:
    """An announce by a remote group: a post (embedded in its Create, or by id) for our
    members, or a moderator's removal of one."""
    inner = activity.object
    if isinstance(inner, Activity) and inner.type in ("Delete", "Remove"):
        await _removed(fed, group, inner.object_id)
        return
    if isinstance(inner, Activity):
        if inner.type not in ("Create", "Update"):
            return
        inner = inner.object
    async with fed.runtime.store.read() as conn:
        if not await _has_local_members(conn, group.id):
            return
        found = await group_on(conn, group.id)
    status = await _post_of_announce(fed, group, inner)
    if found is None or status is None:
        return
    async with fed.runtime.store.write() as conn:
        await distribute(
            fed.runtime.store, conn, status.id, found, status.account_id, local_only=True
        )


async def _removed(fed: Federation, group: AccountRef, uri: str | None) -> None:
    """A group's moderators removed a post: it goes here too, if it was the group's."""
    if uri is None:
        return
    async with fed.runtime.store.write() as conn:
        row = await conn.fetch_one(
            select(statuses.c.account_id).where(
                statuses.c.uri == uri, statuses.c.group_id == group.id
            )
        )
        if row is not None:
            await delete_remote_status(conn, uri, int(row[0]))


async def backfill(fed: Federation, group: AccountRef) -> int:
    """A new member's server reads the group's earlier posts from its outbox (first page);
    returns how many posts it stored."""
    async with fed.runtime.store.read() as conn:
        outbox = await conn.fetch_val(
            select(accounts.c.outbox_url).where(accounts.c.id == group.id)
        )
        found = await group_on(conn, group.id)
    if not outbox or found is None:
        return 0
    try:
        collection = await fed.fetcher.fetch_object(str(outbox))
        first = collection.get("first")
        page = await fed.fetcher.fetch_object(first) if isinstance(first, str) else first
    except (FetchError, PolicyRefusedError):
        return 0
    items = page.get("orderedItems") if isinstance(page, dict) else None
    stored = 0
    for item in items if isinstance(items, list) else []:
        stored += await _backfill_item(fed, group, found, item)
    return stored


async def _backfill_item(fed: Federation, group: AccountRef, found: Group, item: object) -> int:
    inner: object = item
    if isinstance(item, dict) and item.get("type") == "Announce":
        inner = item.get("object")
    if isinstance(inner, dict) and inner.get("type") in ("Create", "Update"):
        inner = inner.get("object")
    if isinstance(inner, dict):
        inner = inner.get("id")
    status = await _post_of_announce(fed, group, inner) if isinstance(inner, str) else None
    if status is None:
        return 0
    async with fed.runtime.store.write() as conn:
        await distribute(
            fed.runtime.store, conn, status.id, found, status.account_id, local_only=True
        )
    return 1
