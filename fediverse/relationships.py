"""Follows, follow requests, blocks, mutes and notes between accounts, local and remote."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from databases.core import Connection
from sqlalchemy import and_, delete, insert, literal, or_, select, union_all, update

from fediverse import feeds, group_requests
from fediverse.errors import ForbiddenError, NotFoundError, ValidationError
from fediverse.ids import now_ms
from fediverse.notifications import notify
from fediverse.outgoing import federate
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    account_domain_blocks,
    account_notes,
    account_pins,
    accounts,
    blocks,
    follow_requests,
    follows,
    mutes,
)
from fediverse.tasks import MUTE_EXPIRED, schedule


@dataclass(frozen=True, slots=True)
class Relationship:
    account_id: int
    following: bool = False
    showing_reblogs: bool = False
    notifying: bool = False
    followed_by: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False
    muting_notifications: bool = False
    requested: bool = False
    requested_by: bool = False
    endorsed: bool = False
    domain_blocking: bool = False
    note: str = ""


async def _account(conn: Connection, account_id: int) -> Any:
    row = await conn.fetch_one(
        select(
            accounts.c.id,
            accounts.c.domain,
            accounts.c.locked,
            accounts.c.uri,
            accounts.c.actor_type,
        ).where(accounts.c.id == account_id, accounts.c.suspended_at.is_(None))
    )
    if row is None:
        raise NotFoundError("Record not found")
    return row._mapping


async def _blocked_either_way(conn: Connection, a: int, b: int) -> bool:
    row = await conn.fetch_one(
        select(blocks.c.id).where(
            or_(
                and_(blocks.c.account_id == a, blocks.c.target_account_id == b),
                and_(blocks.c.account_id == b, blocks.c.target_account_id == a),
            )
        )
    )
    return row is not None


async def _count(conn: Connection, account_id: int, column: str, delta: int) -> None:
    col = accounts.c[column]
    await conn.execute(
        update(accounts).where(accounts.c.id == account_id).values({col: col + delta})
    )


async def _insert_follow(
    store: Store, conn: Connection, follower: int, target: int, extra: dict[str, Any]
) -> int:
    follow_id = store.new_id()
    await conn.execute(
        insert(follows).values(
            id=follow_id,
            account_id=follower,
            target_account_id=target,
            created_at=now_ms(),
            **extra,
        )
    )
    await _count(conn, follower, "following_count", 1)
    await _count(conn, target, "followers_count", 1)
    await feeds.backfill(conn, follower, target)
    return follow_id


async def follow(
    store: Store,
    follower_id: int,
    target_id: int,
    *,
    reblogs: bool = True,
    notify_posts: bool = False,
) -> None:
    """Follow an account: at once if it is local and open, by request if locked or remote."""
    if follower_id == target_id:
        raise ForbiddenError("You cannot follow yourself")
    options = {"show_reblogs": reblogs, "notify": notify_posts}
    async with store.write() as conn:
        target = await _account(conn, target_id)
        if await _blocked_either_way(conn, follower_id, target_id):
            raise ForbiddenError("This action is not allowed")
        changed = await conn.fetch_all(
            update(follows)
            .where(follows.c.account_id == follower_id, follows.c.target_account_id == target_id)
            .values(**options)
            .returning(follows.c.id)
        )
        if changed:
            return
        await _new_follow(store, conn, follower_id, target, options)


async def _new_follow(
    store: Store, conn: Connection, follower_id: int, target: Any, options: dict[str, Any]
) -> None:
    pending = await conn.fetch_val(
        select(follow_requests.c.id).where(
            follow_requests.c.account_id == follower_id,
            follow_requests.c.target_account_id == target["id"],
        )
    )
    if pending is not None:
        return
    if target["domain"] is None and not target["locked"]:
        await _insert_follow(store, conn, follower_id, target["id"], options)
        await notify(
            store, conn, account_id=target["id"], from_account_id=follower_id, type="follow"
        )
        return
    request_id = store.new_id()
    await conn.execute(
        insert(follow_requests).values(
            id=request_id,
            account_id=follower_id,
            target_account_id=target["id"],
            created_at=now_ms(),
            **options,
        )
    )
    if target["domain"] is not None:
        await federate(store, conn, "follow", follow_request_id=request_id)
    else:
        await _tell_of_request(store, conn, target, follower_id, request_id)


async def _tell_of_request(
    store: Store, conn: Connection, target: Any, follower_id: int, request_id: int
) -> None:
    """A local account hears that someone asks to follow it; for a group, which nobody
    reads, its moderators hear that someone asks to join. Either notification is deleted
    with the request, however it ends."""
    if target["actor_type"] == "Group":
        await group_requests.tell_deciders(store, conn, target["id"], follower_id, request_id)
        return
    await notify(
        store,
        conn,
        account_id=target["id"],
        from_account_id=follower_id,
        type="follow_request",
        follow_request_id=request_id,  # it goes with the request, as in Mastodon
    )


async def receive_follow(
    store: Store,
    conn: Connection,
    follower_id: int,
    target_id: int,
    uri: str | None,
    *,
    needs_approval: bool = False,
) -> None:
    """A remote account asks to follow a local one: a request if locked (or ``needs_approval``,
    as for a silenced domain), else accepted at once."""
    target = await _account(conn, target_id)
    if target["locked"] or needs_approval:
        request_id = store.new_id()
        await conn.execute(
            insert(follow_requests).values(
                id=request_id,
                account_id=follower_id,
                target_account_id=target_id,
                uri=uri,
                created_at=now_ms(),
            )
        )
        await _tell_of_request(store, conn, target, follower_id, request_id)
        return
    follow_id = await _insert_follow(store, conn, follower_id, target_id, {"uri": uri})
    await notify(store, conn, account_id=target_id, from_account_id=follower_id, type="follow")
    await federate(store, conn, "accept_follow", follow_id=follow_id)


async def accept_follow_request(store: Store, conn: Connection, follow_request_id: int) -> int:
    """Turn a follow request into a follow; returns the follow id.

    Called when a local account authorizes a request, and by federation when a remote
    account accepted ours. A remote follower is sent an Accept.
    """
    row = await conn.fetch_one(
        delete(follow_requests)
        .where(follow_requests.c.id == follow_request_id)
        .returning(*follow_requests.c)
    )
    if row is None:
        raise NotFoundError("Record not found")
    m = row._mapping
    extra = {"uri": m["uri"], "show_reblogs": m["show_reblogs"], "notify": m["notify"]}
    follow_id = await _insert_follow(store, conn, m["account_id"], m["target_account_id"], extra)
    follower = await _account(conn, m["account_id"])
    if follower["domain"] is not None:
        await federate(store, conn, "accept_follow", follow_id=follow_id)
    return follow_id


async def reject_follow_request(store: Store, conn: Connection, follow_request_id: int) -> None:
    """Drop a follow request; a remote follower is sent a Reject (signed by the local
    account it asked to follow: the ``reject_follow`` job names that one first)."""
    row = await conn.fetch_one(
        delete(follow_requests)
        .where(follow_requests.c.id == follow_request_id)
        .returning(*follow_requests.c)
    )
    if row is None:
        raise NotFoundError("Record not found")
    m = row._mapping
    follower = await _account(conn, m["account_id"])
    if follower["domain"] is not None:
        await federate(
            store,
            conn,
            "reject_follow",
            account_id=m["target_account_id"],
            target_account_id=m["account_id"],
            uri=m["uri"],
        )


async def _request_id(conn: Connection, follower_id: int, target_id: int) -> int:
    found = await conn.fetch_val(
        select(follow_requests.c.id).where(
            follow_requests.c.account_id == follower_id,
            follow_requests.c.target_account_id == target_id,
        )
    )
    if found is None:
        raise NotFoundError("Record not found")
    return int(found)


async def authorize_request(store: Store, target_id: int, follower_id: int) -> None:
    async with store.write() as conn:
        await accept_follow_request(store, conn, await _request_id(conn, follower_id, target_id))


async def reject_request(store: Store, target_id: int, follower_id: int) -> None:
    async with store.write() as conn:
        await reject_follow_request(store, conn, await _request_id(conn, follower_id, target_id))


async def _drop_follow(store: Store, conn: Connection, follower: int, target: int) -> Any:
    """Remove a follow (with counters) or a pending request; returns the removed row."""
    row = await conn.fetch_one(
        delete(follows)
        .where(follows.c.account_id == follower, follows.c.target_account_id == target)
        .returning(follows.c.id, follows.c.uri)
    )
    if row is not None:
        await _count(conn, follower, "following_count", -1)
        await _count(conn, target, "followers_count", -1)
        await feeds.forget(conn, follower, target)
        return row._mapping
    row = await conn.fetch_one(
        delete(follow_requests)
        .where(
            follow_requests.c.account_id == follower,
            follow_requests.c.target_account_id == target,
        )
        .returning(follow_requests.c.id, follow_requests.c.uri)
    )
    return row._mapping if row is not None else None


async def unfollow(store: Store, follower_id: int, target_id: int) -> None:
    async with store.write() as conn:
        target = await _account(conn, target_id)
        removed = await _drop_follow(store, conn, follower_id, target_id)
        if removed is not None and target["actor_type"] == "Group":
            # A moderator who leaves a group no longer hears of its join requests.
            await group_requests.forget_decider(conn, target_id, follower_id)
        if removed is not None and target["domain"] is not None:
            await federate(
                store,
                conn,
                "unfollow",
                account_id=follower_id,
                target_account_id=target_id,
                uri=removed["uri"],
            )


async def remove_from_followers(store: Store, account_id: int, follower_id: int) -> None:
    async with store.write() as conn:
        follower = await _account(conn, follower_id)
        removed = await _drop_follow(store, conn, follower_id, account_id)
        if removed is not None and follower["domain"] is not None:
            await federate(
                store,
                conn,
                "remove_follower",
                account_id=account_id,
                target_account_id=follower_id,
                uri=removed["uri"],
            )


async def block(store: Store, account_id: int, target_id: int) -> None:
    """Block: follows both ways end, and the target no longer sees the blocker's posts."""
    if account_id == target_id:
        raise ForbiddenError("You cannot block yourself")
    async with store.write() as conn:
        target = await _account(conn, target_id)
        exists = await conn.fetch_val(
            select(blocks.c.id).where(
                blocks.c.account_id == account_id, blocks.c.target_account_id == target_id
            )
        )
        if exists is not None:
            return
        await _drop_follow(store, conn, account_id, target_id)
        await _drop_follow(store, conn, target_id, account_id)
        await feeds.forget(conn, account_id, target_id)
        await feeds.forget(conn, target_id, account_id)
        block_id = store.new_id()
        await conn.execute(
            insert(blocks).values(
                id=block_id, account_id=account_id, target_account_id=target_id, created_at=now_ms()
            )
        )
        if target["domain"] is not None:
            await federate(store, conn, "block", block_id=block_id)


async def unblock(store: Store, account_id: int, target_id: int) -> None:
    async with store.write() as conn:
        target = await _account(conn, target_id)
        row = await conn.fetch_one(
            delete(blocks)
            .where(blocks.c.account_id == account_id, blocks.c.target_account_id == target_id)
            .returning(blocks.c.uri)
        )
        if row is not None and target["domain"] is not None:
            await federate(
                store,
                conn,
                "unblock",
                account_id=account_id,
                target_account_id=target_id,
                uri=row._mapping["uri"],
            )


async def mute(
    store: Store, account_id: int, target_id: int, *, notifications: bool, duration_s: int
) -> None:
    if account_id == target_id:
        raise ForbiddenError("You cannot mute yourself")
    if duration_s < 0:
        raise ValidationError("duration must be 0 or more seconds")
    expires = now_ms() + duration_s * 1000 if duration_s else None
    async with store.write() as conn:
        await _account(conn, target_id)
        await conn.execute(
            delete(mutes).where(
                mutes.c.account_id == account_id, mutes.c.target_account_id == target_id
            )
        )
        mute_id = store.new_id()
        await conn.execute(
            insert(mutes).values(
                id=mute_id,
                account_id=account_id,
                target_account_id=target_id,
                hide_notifications=notifications,
                expires_at=expires,
                created_at=now_ms(),
            )
        )
        if expires is not None:
            await schedule(store, conn, MUTE_EXPIRED, {"mute_id": mute_id}, expires)


async def unmute(store: Store, account_id: int, target_id: int) -> None:
    async with store.write() as conn:
        await _account(conn, target_id)
        await conn.execute(
            delete(mutes).where(
                mutes.c.account_id == account_id, mutes.c.target_account_id == target_id
            )
        )


async def set_note(store: Store, account_id: int, target_id: int, comment: str) -> None:
    if len(comment) > 2000:
        raise ValidationError("Validation failed: Comment is too long (maximum is 2000 characters)")
    async with store.write() as conn:
        await _account(conn, target_id)
        await conn.execute(
            delete(account_notes).where(
                account_notes.c.account_id == account_id,
                account_notes.c.target_account_id == target_id,
            )
        )
        if comment:
            await conn.execute(
                insert(account_notes).values(
                    id=store.new_id(),
                    account_id=account_id,
                    target_account_id=target_id,
                    comment=comment,
                    created_at=now_ms(),
                )
            )


def _relation_query(viewer: int, ids: Sequence[int]) -> Any:
    """Every relation between the viewer and ``ids``, as (kind, other account, flags) rows."""

    def pick(kind: str, table: Any, mine: bool, a: Any = None, b: Any = None) -> Any:
        own, other = (
            (table.c.account_id, table.c.target_account_id)
            if mine
            else (table.c.target_account_id, table.c.account_id)
        )
        flag_a = a if a is not None else literal(False)
        flag_b = b if b is not None else literal(False)
        return select(
            literal(kind).label("kind"),
            other.label("other"),
            flag_a.label("a"),
            flag_b.label("b"),
            literal("").label("note"),
        ).where(own == viewer, other.in_(ids))

    note = select(
        literal("note").label("kind"),
        account_notes.c.target_account_id.label("other"),
        literal(False).label("a"),
        literal(False).label("b"),
        account_notes.c.comment.label("note"),
    ).where(account_notes.c.account_id == viewer, account_notes.c.target_account_id.in_(ids))
    return union_all(
        pick("following", follows, True, follows.c.show_reblogs, follows.c.notify),
        pick("followed_by", follows, False),
        pick(
            "requested",
            follow_requests,
            True,
            follow_requests.c.show_reblogs,
            follow_requests.c.notify,
        ),
        pick("requested_by", follow_requests, False),
        pick("blocking", blocks, True),
        pick("blocked_by", blocks, False),
        pick("muting", mutes, True, mutes.c.hide_notifications),
        pick("endorsed", account_pins, True),
        _domain_blocking(viewer, ids),
        note,
    )


def _domain_blocking(viewer: int, ids: Sequence[int]) -> Any:
    """Accounts among ``ids`` whose domain the viewer blocked."""
    return select(
        literal("domain_blocking").label("kind"),
        accounts.c.id.label("other"),
        literal(False).label("a"),
        literal(False).label("b"),
        literal("").label("note"),
    ).where(
        accounts.c.id.in_(ids),
        accounts.c.domain.in_(
            select(account_domain_blocks.c.domain).where(
                account_domain_blocks.c.account_id == viewer
            )
        ),
    )


async def relationships(store: Store, viewer: int, ids: Sequence[int]) -> list[Relationship]:
    """The viewer's relationship to each of ``ids``, in one query."""
    if not ids:
        return []
    async with store.read() as conn:
        rows = await conn.fetch_all(_relation_query(viewer, ids))
    found: dict[int, dict[str, Any]] = {i: {} for i in ids}
    for row in rows:
        kind, other, a, b, note = row[0], row[1], row[2], row[3], row[4]
        fields = found[other]
        if kind in ("following", "requested"):
            fields[kind] = True
            fields["showing_reblogs"] = bool(a)
            fields["notifying"] = bool(b)
        elif kind == "muting":
            fields.update(muting=True, muting_notifications=bool(a))
        elif kind == "note":
            fields["note"] = note
        else:
            fields[kind] = True
    return [Relationship(account_id=i, **found[i]) for i in ids]
