"""Lists: a user's own groupings of accounts they follow, each with its own timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, insert, or_, select, update

from fediverse.errors import NotFoundError, ValidationError
from fediverse.hydrate import ACCOUNT_QUERY, STATUS_COLUMNS, Row
from fediverse.ids import now_ms
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, follows, list_accounts, lists, statuses
from fediverse.visibility import can_see, following_ids, not_hidden_from

REPLIES_POLICIES = ("followed", "list", "none")
MAX_LISTS = 50
MAX_TITLE = 200


@dataclass(frozen=True, slots=True)
class ListChange:
    """What a client may set on a list; None leaves a field as it is."""

    title: str | None = None
    replies_policy: str | None = None
    exclusive: bool | None = None


def _check(change: ListChange) -> None:
    if change.title is not None and not change.title.strip():
        raise ValidationError("Validation failed: Title can't be blank")
    if change.title is not None and len(change.title) > MAX_TITLE:
        raise ValidationError(f"Validation failed: Title is too long (at most {MAX_TITLE})")
    if change.replies_policy is not None and change.replies_policy not in REPLIES_POLICIES:
        raise ValidationError(
            f"Validation failed: Replies policy must be one of {', '.join(REPLIES_POLICIES)}"
        )


async def all_lists(store: Store, owner: int) -> list[Row]:
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(lists).where(lists.c.account_id == owner).order_by(func.lower(lists.c.title))
        )
    return [r._mapping for r in rows]


async def get_list(store: Store, owner: int, list_id: int) -> Row:
    """One of the owner's lists; someone else's is a 404, as if it did not exist."""
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(lists).where(lists.c.id == list_id, lists.c.account_id == owner)
        )
    if row is None:
        raise NotFoundError("Record not found")
    return row._mapping


async def create_list(store: Store, owner: int, change: ListChange) -> Row:
    if change.title is None:
        raise ValidationError("Validation failed: Title can't be blank")
    _check(change)
    list_id = store.new_id()
    async with store.write() as conn:
        count = await conn.fetch_val(
            select(func.count()).select_from(lists).where(lists.c.account_id == owner)
        )
        if count >= MAX_LISTS:
            raise ValidationError(f"Validation failed: You can have at most {MAX_LISTS} lists")
        await conn.execute(
            insert(lists).values(
                id=list_id,
                account_id=owner,
                title=change.title.strip(),
                replies_policy=change.replies_policy or "list",
                exclusive=bool(change.exclusive),
                created_at=now_ms(),
            )
        )
    return await get_list(store, owner, list_id)


async def update_list(store: Store, owner: int, list_id: int, change: ListChange) -> Row:
    _check(change)
    await get_list(store, owner, list_id)
    values = {
        k: v
        for k, v in (
            ("title", change.title.strip() if change.title is not None else None),
            ("replies_policy", change.replies_policy),
            ("exclusive", change.exclusive),
        )
        if v is not None
    }
    if values:
        async with store.write() as conn:
            await conn.execute(update(lists).where(lists.c.id == list_id).values(**values))
    return await get_list(store, owner, list_id)


async def delete_list(store: Store, owner: int, list_id: int) -> None:
    await get_list(store, owner, list_id)
    async with store.write() as conn:
        await conn.execute(delete(lists).where(lists.c.id == list_id))


async def members(
    store: Store, owner: int, list_id: int, page: PageQuery | None
) -> tuple[list[Row], list[int]]:
    """The list's accounts, paged by membership (all of them without a page)."""
    await get_list(store, owner, list_id)
    query = ACCOUNT_QUERY.add_columns(list_accounts.c.id.label("membership_id")).join(
        list_accounts, list_accounts.c.account_id == accounts.c.id
    )
    query = query.where(list_accounts.c.list_id == list_id)
    async with store.read() as conn:
        if page is None:
            rows = [r._mapping for r in await conn.fetch_all(query.order_by(list_accounts.c.id))]
        else:
            found = await conn.fetch_all(apply_page(query, list_accounts.c.id, page))
            rows = newest_first([r._mapping for r in found], page)
    return rows, [r["membership_id"] for r in rows]


async def add_members(store: Store, owner: int, list_id: int, account_ids: Sequence[int]) -> None:
    """Add accounts the owner follows; anyone else is refused, and nothing is added."""
    await get_list(store, owner, list_id)
    wanted = set(account_ids)
    async with store.write() as conn:
        known = {
            r[0]
            for r in await conn.fetch_all(select(accounts.c.id).where(accounts.c.id.in_(wanted)))
        }
        if known != wanted:
            raise NotFoundError("Record not found")
        followed = {
            r[0]
            for r in await conn.fetch_all(
                select(follows.c.target_account_id).where(
                    follows.c.account_id == owner, follows.c.target_account_id.in_(wanted)
                )
            )
        }
        if followed != wanted:
            raise ValidationError("Validation failed: Account has not been followed")
        present = {
            r[0]
            for r in await conn.fetch_all(
                select(list_accounts.c.account_id).where(list_accounts.c.list_id == list_id)
            )
        }
        now = now_ms()
        for account_id in sorted(wanted - present):
            await conn.execute(
                insert(list_accounts).values(
                    id=store.new_id(), list_id=list_id, account_id=account_id, created_at=now
                )
            )


async def remove_members(
    store: Store, owner: int, list_id: int, account_ids: Sequence[int]
) -> None:
    await get_list(store, owner, list_id)
    async with store.write() as conn:
        await conn.execute(
            delete(list_accounts).where(
                list_accounts.c.list_id == list_id, list_accounts.c.account_id.in_(account_ids)
            )
        )


async def lists_with(store: Store, owner: int, account_id: int) -> list[Row]:
    """The owner's lists that hold ``account_id``."""
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(lists)
            .join(list_accounts, list_accounts.c.list_id == lists.c.id)
            .where(lists.c.account_id == owner, list_accounts.c.account_id == account_id)
            .order_by(func.lower(lists.c.title))
        )
    return [r._mapping for r in rows]


async def member_ids(store: Store, owner: int, list_id: int) -> list[int]:
    await get_list(store, owner, list_id)
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(list_accounts.c.account_id).where(list_accounts.c.list_id == list_id)
        )
    return [r[0] for r in rows]


def _in_list(list_id: int) -> object:
    return select(list_accounts.c.account_id).where(list_accounts.c.list_id == list_id)


def _replies(policy: str, owner: int, list_id: int) -> object:
    """Which replies a list shows: to its members, to anyone followed, or none."""
    if policy == "none":
        return statuses.c.in_reply_to_id.is_(None)
    to = _in_list(list_id) if policy == "list" else following_ids(owner)
    return or_(
        statuses.c.in_reply_to_id.is_(None),
        statuses.c.in_reply_to_account_id == owner,
        statuses.c.in_reply_to_account_id.in_(to),  # type: ignore[arg-type]
    )


async def shows_reply_policy(store: Store, owner: int, list_id: int, status_id: int) -> bool:
    """Whether the list's ``replies_policy`` lets ``status_id`` into it (for its stream; the
    timeline applies the same condition in its query). A list gone since is False."""
    async with store.read() as conn:
        policy = await conn.fetch_val(
            select(lists.c.replies_policy).where(lists.c.id == list_id, lists.c.account_id == owner)
        )
        if policy is None:
            return False
        found = await conn.fetch_val(
            select(statuses.c.id).where(
                statuses.c.id == status_id,
                _replies(policy, owner, list_id),  # type: ignore[arg-type]
            )
        )
    return found is not None


async def timeline(store: Store, owner: int, list_id: int, page: PageQuery) -> list[Row]:
    """Posts and boosts of the list's members that the owner may see, newest first."""
    found = await get_list(store, owner, list_id)
    query = select(*STATUS_COLUMNS).where(
        and_(
            statuses.c.account_id.in_(_in_list(list_id)),  # type: ignore[arg-type]
            _replies(found["replies_policy"], owner, list_id),  # type: ignore[arg-type]
            statuses.c.deleted_at.is_(None),
            can_see(owner),
            not_hidden_from(owner),
        )
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(apply_page(query, statuses.c.id, page))
    return newest_first([r._mapping for r in rows], page)
