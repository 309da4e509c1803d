"""Groups (FEP-1b12): a ``Group`` account that members follow and that announces their posts.

A group is an account with ``actor_type = 'Group'`` and a row in ``groups``. Membership is
the follow relation, so that Mastodon users join by following: members are the group's
followers, join requests are follow requests to it (closed groups are ``locked``), and a
ban is a block by the group. ``group_memberships`` holds what follows cannot: who
moderates, and who was banned. The values and membership queries are in ``groups_model``
(re-exported here), posting checks in ``groups_posting``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import delete, func, insert, select, update

from fediverse import accounts as local_accounts
from fediverse import audit, group_requests, relationships
from fediverse.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from fediverse.groups_model import (
    GROUP_COLUMNS,
    GROUPS_JOIN,
    MAX_PARTNERS,
    PRIVACIES,
    ROLES,
    Group,
    GroupChange,
    Member,
    NewGroup,
    check_new_group,
    check_partner_domains,
    check_privacy,
    group_from_row,
    group_on,
    groups_among,
    is_banned,
    is_member,
    is_moderator,
    note_html,
    role_of,
)
from fediverse.hydrate import STATUS_COLUMNS, Row
from fediverse.ids import now_ms
from fediverse.outgoing import federate
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.remote import follower_inboxes
from fediverse.remote_statuses import delete_remote_status
from fediverse.runtime import Runtime
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    accounts,
    blocks,
    follow_requests,
    follows,
    group_memberships,
    groups,
    statuses,
    users,
)
from fediverse.streams import announce_status, status_topics
from fediverse.urls import actor_urls

__all__ = [
    "MAX_PARTNERS",
    "PRIVACIES",
    "ROLES",
    "Group",
    "GroupChange",
    "Member",
    "NewGroup",
    "approve",
    "ban",
    "create_group",
    "get_group",
    "group_on",
    "groups_among",
    "is_banned",
    "is_member",
    "is_moderator",
    "join",
    "leave",
    "list_groups",
    "members",
    "moderator_uris",
    "partner_refusal",
    "receive_join",
    "reject",
    "remove_post",
    "role_of",
    "set_role",
    "timeline",
    "unban",
    "update_group",
    "viewer_states",
]


async def _require_staff(conn: Connection, account_id: int) -> None:
    found = await conn.fetch_val(select(users.c.id).where(users.c.account_id == account_id))
    if found is None:
        raise ForbiddenError("Only local staff may do this")


async def _refuse_taken(conn: Connection, username: str) -> None:
    taken = await conn.fetch_val(
        select(func.count())
        .select_from(accounts)
        .where(func.lower(accounts.c.username) == username, accounts.c.domain.is_(None))
    )
    if taken:
        raise ConflictError(f"the name {username!r} is taken")


async def create_group(runtime: Runtime, creator_id: int, new: NewGroup) -> int:
    """Create a group; its creator is its first member and its admin. Returns its account id."""
    new = check_new_group(new)
    store, base_url = runtime.store, runtime.settings.base_url
    keys = local_accounts.new_key_columns()  # outside the transaction: key generation is slow
    async with store.write() as conn:
        await _require_staff(conn, creator_id)
        await _refuse_taken(conn, new.username)
        group_id, now = store.new_id(), now_ms()
        await conn.execute(
            insert(accounts).values(
                id=group_id,
                username=new.username,
                domain=None,
                actor_type="Group",
                display_name=new.display_name or new.username,
                note=note_html(new.note),
                note_source=new.note,
                locked=new.privacy == "closed",
                discoverable=new.privacy != "internal",
                created_at=now,
                updated_at=now,
                **actor_urls(base_url, new.username),
                **keys,
            )
        )
        await conn.execute(
            insert(groups).values(
                account_id=group_id,
                privacy=new.privacy,
                partner_domains=orjson.dumps(list(new.partner_domains)).decode(),
                moderators_only_start_threads=new.moderators_only_start_threads,
                created_by_account_id=creator_id,
                created_at=now,
            )
        )
        await _set_membership(store, conn, group_id, creator_id, role="admin", state="member")
        await _insert_member_follow(store, conn, creator_id, group_id)
        await audit.record(
            store,
            conn,
            actor=f"account:{creator_id}",
            action="group.create",
            target_type="account",
            target=new.username,
            account_id=creator_id,
            data={"privacy": new.privacy},
        )
    return group_id


async def _insert_member_follow(store: Store, conn: Connection, follower: int, group: int) -> None:
    exists = await conn.fetch_val(
        select(follows.c.id).where(
            follows.c.account_id == follower, follows.c.target_account_id == group
        )
    )
    if exists is None:
        await relationships._insert_follow(store, conn, follower, group, {})


async def _set_membership(
    store: Store, conn: Connection, group_id: int, account_id: int, *, role: str, state: str
) -> None:
    changed = await conn.fetch_all(
        update(group_memberships)
        .where(
            group_memberships.c.group_account_id == group_id,
            group_memberships.c.account_id == account_id,
        )
        .values(role=role, state=state)
        .returning(group_memberships.c.id)
    )
    if not changed:
        await conn.execute(
            insert(group_memberships).values(
                id=store.new_id(),
                group_account_id=group_id,
                account_id=account_id,
                role=role,
                state=state,
                created_at=now_ms(),
            )
        )


async def get_group(store: Store, group_id: int) -> Group:
    async with store.read() as conn:
        found = await group_on(conn, group_id)
    if found is None:
        raise NotFoundError("Record not found")
    return found


async def _moderated_group(conn: Connection, moderator_id: int, group_id: int) -> Group:
    group = await group_on(conn, group_id)
    if group is None or not group.is_local:
        raise NotFoundError("Record not found")
    if not await is_moderator(conn, group_id, moderator_id):
        raise ForbiddenError("Only moderators of this group may do this")
    return group


async def moderator_uris(conn: Connection, group_id: int) -> list[str]:
    """The actors who moderate a group, for its ``attributedTo`` collection (as Lemmy has)."""
    rows = await conn.fetch_all(
        select(accounts.c.uri)
        .select_from(
            group_memberships.join(accounts, accounts.c.id == group_memberships.c.account_id)
        )
        .where(
            group_memberships.c.group_account_id == group_id,
            group_memberships.c.role.in_(("moderator", "admin")),
            group_memberships.c.state == "member",
        )
        .order_by(group_memberships.c.id)
    )
    return [str(r[0]) for r in rows]


async def list_groups(
    store: Store, viewer_id: int, *, mine: bool, limit: int = 40, offset: int = 0
) -> list[Group]:
    """The viewer's groups (``mine``), or the local groups the viewer may find and join."""
    query = (
        select(*GROUP_COLUMNS)
        .select_from(GROUPS_JOIN)
        .where(accounts.c.actor_type == "Group", accounts.c.suspended_at.is_(None))
    )
    if mine:
        joined = select(follows.c.target_account_id).where(follows.c.account_id == viewer_id)
        query = query.where(accounts.c.id.in_(joined))
    else:
        query = query.where(accounts.c.domain.is_(None))
    query = query.order_by(accounts.c.username).limit(max(1, min(limit, 80))).offset(offset)
    async with store.read() as conn:
        return [group_from_row(r) for r in await conn.fetch_all(query)]


async def update_group(
    runtime: Runtime, moderator_id: int, group_id: int, change: GroupChange
) -> Group:
    """Edit a group; its members' servers hear of it (an Update of the Group actor)."""
    store = runtime.store
    async with store.write() as conn:
        group = await _moderated_group(conn, moderator_id, group_id)
        account_values: dict[str, Any] = {"updated_at": now_ms()}
        group_values: dict[str, Any] = {}
        if change.display_name is not None:
            if len(change.display_name) > 200:
                raise ValidationError("display_name must be at most 200 characters")
            account_values["display_name"] = change.display_name.strip() or group.username
        if change.note is not None:
            if len(change.note) > 2000:
                raise ValidationError("note must be at most 2000 characters")
            account_values.update(note=note_html(change.note), note_source=change.note.strip())
        if change.privacy is not None:
            privacy = check_privacy(change.privacy)
            if privacy == "internal" and group.privacy != "internal":
                raise ValidationError("a federated group cannot become internal")
            group_values["privacy"] = privacy
            account_values.update(locked=privacy == "closed", discoverable=privacy != "internal")
        if change.partner_domains is not None:
            partners = check_partner_domains(change.partner_domains)
            group_values["partner_domains"] = orjson.dumps(list(partners)).decode()
        if change.moderators_only_start_threads is not None:
            group_values["moderators_only_start_threads"] = change.moderators_only_start_threads
        await conn.execute(update(accounts).where(accounts.c.id == group_id).values(account_values))
        if group_values:
            await conn.execute(
                update(groups).where(groups.c.account_id == group_id).values(group_values)
            )
        if group.federated:
            await federate(store, conn, "actor.update", account_id=group_id)
    return await get_group(store, group_id)


def partner_refusal(group: Group, domain: str | None) -> str | None:
    """Why an account from ``domain`` (None: local) may not join, or None when it may."""
    if domain is None:
        return None
    if group.privacy == "internal":
        return "This group is internal to its instance"
    if group.partner_domains and domain.lower() not in group.partner_domains:
        return f"This group is open only to members from {', '.join(group.partner_domains)}"
    return None


async def join(store: Store, account_id: int, group_id: int) -> str:
    """Join (follow) a group; returns ``member``, or ``pending`` while moderators decide."""
    async with store.read() as conn:
        group = await group_on(conn, group_id)
        if group is None:
            raise NotFoundError("Record not found")
        if await is_banned(conn, group_id, account_id):
            raise ForbiddenError("You are banned from this group")
    await relationships.follow(store, account_id, group_id)
    async with store.read() as conn:
        return "member" if await is_member(conn, group_id, account_id) else "pending"


async def leave(store: Store, account_id: int, group_id: int) -> None:
    """Leave a group (or withdraw a join request): an Undo Follow for a remote group."""
    async with store.read() as conn:
        if await group_on(conn, group_id) is None:
            raise NotFoundError("Record not found")
    await relationships.unfollow(store, account_id, group_id)


async def receive_join(
    store: Store, conn: Connection, group: Group, account_id: int, domain: str, uri: str | None
) -> str | None:
    """A remote actor asks to join a local group; returns why it is refused, or None."""
    refusal = partner_refusal(group, domain)
    if refusal is None and await is_banned(conn, group.id, account_id):
        refusal = "You are banned from this group"
    if refusal is not None:
        return refusal
    await relationships.receive_follow(store, conn, account_id, group.id, uri)
    return None


async def _pending_id(conn: Connection, group_id: int, account_id: int) -> int:
    found = await conn.fetch_val(
        select(follow_requests.c.id).where(
            follow_requests.c.account_id == account_id,
            follow_requests.c.target_account_id == group_id,
        )
    )
    if found is None:
        raise NotFoundError("No such join request")
    return int(found)


async def approve(store: Store, moderator_id: int, group_id: int, account_id: int) -> None:
    """A moderator lets a pending member in (a remote one is sent an Accept)."""
    async with store.write() as conn:
        await _moderated_group(conn, moderator_id, group_id)
        await relationships.accept_follow_request(
            store, conn, await _pending_id(conn, group_id, account_id)
        )


async def reject(store: Store, moderator_id: int, group_id: int, account_id: int) -> None:
    """A moderator turns a join request down (a remote one is sent a Reject)."""
    async with store.write() as conn:
        await _moderated_group(conn, moderator_id, group_id)
        await relationships.reject_follow_request(
            store, conn, await _pending_id(conn, group_id, account_id)
        )


async def ban(store: Store, moderator_id: int, group_id: int, account_id: int) -> None:
    """A moderator bans an account: its membership ends, the group blocks it, and its posts
    are refused from then on."""
    async with store.read() as conn:
        await _moderated_group(conn, moderator_id, group_id)
        if await is_moderator(conn, group_id, account_id):
            raise ForbiddenError("A moderator cannot be banned; remove the role first")
    await relationships.block(store, group_id, account_id)
    async with store.write() as conn:
        await _set_membership(store, conn, group_id, account_id, role="member", state="banned")


async def unban(store: Store, moderator_id: int, group_id: int, account_id: int) -> None:
    async with store.read() as conn:
        await _moderated_group(conn, moderator_id, group_id)
    await relationships.unblock(store, group_id, account_id)
    async with store.write() as conn:
        await conn.execute(
            delete(group_memberships).where(
                group_memberships.c.group_account_id == group_id,
                group_memberships.c.account_id == account_id,
                group_memberships.c.state == "banned",
            )
        )


async def set_role(
    store: Store, moderator_id: int, group_id: int, account_id: int, role: str
) -> None:
    """Make a member a moderator (or a member again). A federated group's servers hear of a
    change (an Update of the Group actor, whose ``attributedTo`` lists its moderators)."""
    if role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}")
    async with store.write() as conn:
        group = await _moderated_group(conn, moderator_id, group_id)
        if not await is_member(conn, group_id, account_id):
            raise NotFoundError("Not a member of this group")
        before = await conn.fetch_val(
            select(group_memberships.c.role).where(
                group_memberships.c.group_account_id == group_id,
                group_memberships.c.account_id == account_id,
            )
        )
        await _set_membership(store, conn, group_id, account_id, role=role, state="member")
        await group_requests.role_given(store, conn, group_id, account_id, role)
        if group.federated and before != role:
            await federate(store, conn, "actor.update", account_id=group_id)


async def members(
    store: Store,
    viewer_id: int,
    group_id: int,
    *,
    state: str = "member",
    limit: int = 40,
    max_id: int | None = None,
) -> list[Member]:
    """Members (newest first by membership), ``pending`` join requests (moderators only) or
    ``banned`` accounts (moderators only)."""
    async with store.read() as conn:
        group = await group_on(conn, group_id)
        if group is None:
            raise NotFoundError("Record not found")
        if state != "member" and not await is_moderator(conn, group_id, viewer_id):
            raise ForbiddenError("Only moderators of this group may see this")
        if state == "member":
            await _check_reader(conn, group, viewer_id)
        return await _member_rows(conn, group_id, state, max(1, min(limit, 80)), max_id)


async def _member_rows(
    conn: Connection, group_id: int, state: str, limit: int, max_id: int | None
) -> list[Member]:
    if state == "banned":
        table: Any = blocks
        where = blocks.c.account_id == group_id
    elif state == "pending":
        table, where = follow_requests, follow_requests.c.target_account_id == group_id
    elif state == "member":
        table, where = follows, follows.c.target_account_id == group_id
    else:
        raise ValidationError("state must be member, pending or banned")
    other = table.c.target_account_id if state == "banned" else table.c.account_id
    query = (
        select(table.c.id, other, table.c.created_at, group_memberships.c.role)
        .select_from(
            table.outerjoin(
                group_memberships,
                (group_memberships.c.group_account_id == group_id)
                & (group_memberships.c.account_id == other),
            )
        )
        .where(where)
    )
    if max_id is not None:
        query = query.where(table.c.id < max_id)
    rows = await conn.fetch_all(query.order_by(table.c.id.desc()).limit(limit))
    return [Member(int(r[1]), str(r[3] or "member"), state, int(r[2])) for r in rows]


async def _check_reader(conn: Connection, group: Group, viewer_id: int) -> None:
    """Closed groups (and every remote group) show their posts and members to members only."""
    if await is_member(conn, group.id, viewer_id):
        return
    if group.is_local and group.privacy != "closed":
        return
    raise ForbiddenError("This group's posts are for its members only")


async def timeline(store: Store, viewer_id: int, group_id: int, page: PageQuery) -> list[Row]:
    """The posts of a group, newest first: what it announced (or, remote, what reached us)."""
    async with store.read() as conn:
        group = await group_on(conn, group_id)
        if group is None:
            raise NotFoundError("Record not found")
        await _check_reader(conn, group, viewer_id)
        query = select(*STATUS_COLUMNS).where(
            statuses.c.group_id == group_id,
            statuses.c.deleted_at.is_(None),
            statuses.c.reblog_of_id.is_(None),
        )
        rows = await conn.fetch_all(apply_page(query, statuses.c.id, page))
    return newest_first([r._mapping for r in rows], page)


async def remove_post(runtime: Runtime, moderator_id: int, group_id: int, status_id: int) -> None:
    """A moderator removes a post from the group: it is deleted here, and every member's
    server (and the author's) is told by the group."""
    store = runtime.store
    async with store.write() as conn:
        group = await _moderated_group(conn, moderator_id, group_id)
        row = await conn.fetch_one(
            select(
                statuses.c.uri, statuses.c.account_id, statuses.c.local_only, statuses.c.local
            ).where(statuses.c.id == status_id, statuses.c.group_id == group_id)
        )
        if row is None:
            raise NotFoundError("No such post in this group")
        # local_only is a choice of our own authors; a remote post went out already
        uri, author_id, local_only = str(row[0]), int(row[1]), bool(row[2]) and bool(row[3])
        if group.federated and not local_only:
            inboxes = await _removal_inboxes(conn, group_id, author_id)
            await federate(store, conn, "group.remove", group_id=group_id, uri=uri, inboxes=inboxes)
        topics = status_topics(author_id=author_id, visibility="public", local_author=bool(row[3]))
        announce_status(store, conn, "delete", status_id, [*topics, f"author:{group_id}"])
        await delete_remote_status(conn, uri, author_id)
        await audit.record(
            store,
            conn,
            actor=f"account:{moderator_id}",
            action="group.remove_post",
            target_type="status",
            target=uri,
            account_id=moderator_id,
            data={"group_id": str(group_id)},
        )


async def _removal_inboxes(conn: Connection, group_id: int, author_id: int) -> list[str]:
    """Who hears of a removal: the members' servers, and a remote author's."""
    inboxes = await follower_inboxes(conn, group_id)
    author_inbox = await conn.fetch_val(
        select(func.coalesce(accounts.c.shared_inbox_url, accounts.c.inbox_url)).where(
            accounts.c.id == author_id, accounts.c.domain.is_not(None)
        )
    )
    if author_inbox:
        inboxes.append(str(author_inbox))
    return sorted(set(inboxes))


async def viewer_states(store: Store, viewer_id: int, group_ids: Sequence[int]) -> dict[int, str]:
    """The viewer's standing in each group, in three queries: ``admin``, ``moderator``,
    ``member``, ``pending``, ``banned``, or absent when none."""
    if not group_ids:
        return {}
    ids = list(group_ids)
    async with store.read() as conn:
        joined = await conn.fetch_all(
            select(follows.c.target_account_id).where(
                follows.c.account_id == viewer_id, follows.c.target_account_id.in_(ids)
            )
        )
        asked = await conn.fetch_all(
            select(follow_requests.c.target_account_id).where(
                follow_requests.c.account_id == viewer_id,
                follow_requests.c.target_account_id.in_(ids),
            )
        )
        roles = await conn.fetch_all(
            select(
                group_memberships.c.group_account_id,
                group_memberships.c.role,
                group_memberships.c.state,
            ).where(
                group_memberships.c.account_id == viewer_id,
                group_memberships.c.group_account_id.in_(ids),
            )
        )
    found: dict[int, str] = {int(r[0]): "pending" for r in asked}
    found |= {int(r[0]): "member" for r in joined}
    for group_id, role, state in ((int(r[0]), str(r[1]), str(r[2])) for r in roles):
        if state == "banned":
            found[group_id] = "banned"
        elif group_id in found and found[group_id] == "member":
            found[group_id] = role
    return found
