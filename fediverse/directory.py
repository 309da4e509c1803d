"""Finding accounts: by id, by handle, by search, and in lists of followers, blocks and mutes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from fediverse.departments import subtree_ids
from fediverse.errors import NotFoundError, ValidationError
from fediverse.hydrate import Row, load_accounts
from fediverse.instances import suspended_among
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.storage.database import Store
from fediverse.storage.functions import fold
from fediverse.storage.tables import (
    accounts,
    blocks,
    follow_requests,
    follows,
    instances,
    mutes,
    statuses_tags,
    tags,
)


async def accounts_by_id(store: Store, ids: list[int]) -> dict[int, Row]:
    """The accounts among ``ids`` that may be shown: not suspended themselves, nor what is
    left of the accounts of a suspended domain (its content is gone)."""
    async with store.read() as conn:
        found = await load_accounts(conn, ids)
        gone = await suspended_among(conn, {r["domain"] for r in found.values() if r["domain"]})
    return {
        i: row
        for i, row in found.items()
        if row["suspended_at"] is None and row["domain"] not in gone
    }


async def account_by_id(store: Store, account_id: int) -> Row:
    found = await accounts_by_id(store, [account_id])
    if account_id not in found:
        raise NotFoundError("Record not found")
    return found[account_id]


async def profiles_by_id(store: Store, ids: list[int]) -> dict[int, Row]:
    """The accounts among ``ids`` as their profiles show them: suspended ones too, as
    Mastodon shows them, each with ``unavailable`` saying whether it is suspended, for its
    profile to be left blank. What is left of the accounts of a suspended domain is not
    among them (its content is gone)."""
    async with store.read() as conn:
        found = await load_accounts(conn, ids)
        gone = await suspended_among(conn, {r["domain"] for r in found.values() if r["domain"]})
    return {
        i: {**row, "unavailable": row["suspended_at"] is not None}
        for i, row in found.items()
        if row["domain"] not in gone
    }


async def profile_by_id(store: Store, account_id: int) -> Row:
    found = await profiles_by_id(store, [account_id])
    if account_id not in found:
        raise NotFoundError("Record not found")
    return found[account_id]


async def lookup(store: Store, acct: str, local_domain: str) -> Row:
    """An account by ``user`` or ``user@domain``; a suspended one is not found."""
    return await account_by_id(store, await _lookup_id(store, acct, local_domain))


async def lookup_profile(store: Store, acct: str, local_domain: str) -> Row:
    """An account by handle as its profile shows it, suspended or not (``profiles_by_id``)."""
    return await profile_by_id(store, await _lookup_id(store, acct, local_domain))


async def _lookup_id(store: Store, acct: str, local_domain: str) -> int:
    username, _, domain = acct.strip().lstrip("@").lower().partition("@")
    query = select(accounts.c.id).where(func.lower(accounts.c.username) == username)
    if not domain or domain == local_domain:
        query = query.where(accounts.c.domain.is_(None))
    else:
        query = query.where(func.lower(accounts.c.domain) == domain)
    async with store.read() as conn:
        account_id = await conn.fetch_val(query)
    if account_id is None:
        raise NotFoundError("Record not found")
    return int(account_id)


async def search(
    store: Store, viewer: int, q: str, *, limit: int, offset: int, following: bool
) -> list[Row]:
    """Accounts whose handle or name starts with ``q``, people the viewer follows first."""
    term = q.strip().lstrip("@").lower()
    username, _, domain = term.partition("@")
    like = username.replace("\\", "").replace("%", "").replace("_", "\\_") + "%"
    query = select(accounts.c.id).where(
        or_(
            fold(accounts.c.username).like(like, escape="\\"),
            fold(accounts.c.display_name).like("%" + like, escape="\\"),
        ),
        accounts.c.suspended_at.is_(None),
        accounts.c.actor_type != "Application",
        # What is left of a suspended domain's accounts is not found (its content is gone).
        or_(
            accounts.c.domain.is_(None),
            accounts.c.domain.not_in(
                select(instances.c.domain).where(instances.c.policy == "suspend")
            ),
        ),
    )
    if domain:
        query = query.where(func.lower(accounts.c.domain).like(domain + "%"))
    followed = select(follows.c.target_account_id).where(follows.c.account_id == viewer)
    if following:
        query = query.where(accounts.c.id.in_(followed))
    query = (
        query.order_by(accounts.c.id.in_(followed).desc(), accounts.c.username)
        .limit(limit)
        .offset(offset)
    )
    async with store.read() as conn:
        ids = [r[0] for r in await conn.fetch_all(query)]
        found = await load_accounts(conn, ids)
    return [found[i] for i in ids if i in found]


async def _paged_accounts(
    store: Store, query: Any, key: Any, page: PageQuery
) -> tuple[list[Row], list[int]]:
    """Accounts of a relation table, paged by the relation's id as Mastodon does."""
    async with store.read() as conn:
        rows = newest_first(await conn.fetch_all(apply_page(query, key, page)), page)
        found = await load_accounts(conn, [r[1] for r in rows])
    kept = [(r[0], found[r[1]]) for r in rows if r[1] in found]
    return [row for _, row in kept], [key_id for key_id, _ in kept]


async def followers(store: Store, account_id: int, page: PageQuery) -> tuple[list[Row], list[int]]:
    if (await profile_by_id(store, account_id))["unavailable"]:
        return [], []  # a suspended account's lists are empty, as in Mastodon
    query = select(follows.c.id, follows.c.account_id).where(
        follows.c.target_account_id == account_id
    )
    return await _paged_accounts(store, query, follows.c.id, page)


async def following(store: Store, account_id: int, page: PageQuery) -> tuple[list[Row], list[int]]:
    if (await profile_by_id(store, account_id))["unavailable"]:
        return [], []
    query = select(follows.c.id, follows.c.target_account_id).where(
        follows.c.account_id == account_id
    )
    return await _paged_accounts(store, query, follows.c.id, page)


async def incoming_requests(
    store: Store, account_id: int, page: PageQuery
) -> tuple[list[Row], list[int]]:
    query = select(follow_requests.c.id, follow_requests.c.account_id).where(
        follow_requests.c.target_account_id == account_id
    )
    return await _paged_accounts(store, query, follow_requests.c.id, page)


async def blocked(store: Store, account_id: int, page: PageQuery) -> tuple[list[Row], list[int]]:
    query = select(blocks.c.id, blocks.c.target_account_id).where(blocks.c.account_id == account_id)
    return await _paged_accounts(store, query, blocks.c.id, page)


async def muted(store: Store, account_id: int, page: PageQuery) -> tuple[list[Row], list[int]]:
    query = select(mutes.c.id, mutes.c.target_account_id).where(mutes.c.account_id == account_id)
    return await _paged_accounts(store, query, mutes.c.id, page)


async def familiar_followers(store: Store, viewer: int, ids: list[int]) -> dict[int, list[Row]]:
    """For each account, the accounts the viewer follows that follow it, in one query."""
    theirs = follows.alias("theirs")
    query = select(theirs.c.target_account_id, theirs.c.account_id).where(
        theirs.c.target_account_id.in_(ids),
        theirs.c.account_id.in_(
            select(follows.c.target_account_id).where(follows.c.account_id == viewer)
        ),
    )
    async with store.read() as conn:
        pairs = [(r[0], r[1]) for r in await conn.fetch_all(query)]
        found = await load_accounts(conn, {p[1] for p in pairs})
    result: dict[int, list[Row]] = {i: [] for i in ids}
    for target, follower in pairs:
        if follower in found:
            result[target].append(found[follower])
    return result


async def search_tags(store: Store, q: str, *, limit: int, offset: int) -> list[str]:
    """Hashtags that start with ``q`` (without ``#``), most used first."""
    term = q.strip().lstrip("#").lower().replace("\\", "").replace("%", "").replace("_", "\\_")
    if not term:
        return []
    uses = select(func.count()).where(statuses_tags.c.tag_id == tags.c.id).scalar_subquery()
    query = (
        select(tags.c.display_name)
        .where(tags.c.name.like(term + "%", escape="\\"), tags.c.usable.is_(True))
        .order_by(uses.desc(), tags.c.name)
        .limit(limit)
        .offset(offset)
    )
    async with store.read() as conn:
        return [r[0] for r in await conn.fetch_all(query)]


DIRECTORY_ORDERS = ("active", "new")


@dataclass(frozen=True, slots=True)
class DirectoryQuery:
    """``GET /api/v1/directory``: Mastodon's offset, limit, order and local, plus Kollegium's
    department (with its units) and ``q`` (name, handle, title, workplace or topic)."""

    offset: int = 0
    limit: int = 40
    order: str = "active"
    local: bool = False
    department_id: int | None = None
    q: str | None = None


def _like(term: str) -> str:
    return "%" + term.lower().replace("\\", "").replace("%", "\\%").replace("_", "\\_") + "%"


def _matching(term: str) -> Any:
    like = _like(term)
    return or_(
        *(
            fold(column).like(like, escape="\\")
            for column in (
                accounts.c.username,
                accounts.c.display_name,
                accounts.c.title,
                accounts.c.workplace,
                accounts.c.ask_me_about,
            )
        )
    )


async def staff_directory(store: Store, query: DirectoryQuery) -> list[Row]:
    """Discoverable people, the most recently active (or newest) first, as Mastodon lists them;
    silenced, suspended, moved accounts, groups and the instance actor are left out."""
    if query.order not in DIRECTORY_ORDERS:
        raise ValidationError(f"order must be one of {', '.join(DIRECTORY_ORDERS)}")
    if query.offset < 0:
        raise ValidationError("offset must be 0 or more")
    found = select(accounts.c.id).where(
        accounts.c.discoverable.is_(True),
        accounts.c.suspended_at.is_(None),
        accounts.c.silenced_at.is_(None),
        accounts.c.moved_to_account_id.is_(None),
        accounts.c.actor_type.in_(("Person", "Service")),
    )
    if query.local:
        found = found.where(accounts.c.domain.is_(None))
    if query.q and query.q.strip():
        found = found.where(_matching(query.q.strip()))
    async with store.read() as conn:
        if query.department_id is not None:
            units = await subtree_ids(conn, query.department_id)
            found = found.where(accounts.c.department_id.in_(units))
        if query.order == "new":
            found = found.order_by(accounts.c.id.desc())
        else:
            active = func.coalesce(accounts.c.last_status_at, 0)
            found = found.order_by(active.desc(), accounts.c.id.desc())
        ids = [r[0] for r in await conn.fetch_all(found.limit(query.limit).offset(query.offset))]
        rows = await load_accounts(conn, ids)
    return [rows[i] for i in ids if i in rows]
