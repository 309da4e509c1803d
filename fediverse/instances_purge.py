"""What suspending a domain removes: its accounts' follows (both ways), follow requests,
group memberships, statuses, favourites and notifications. The accounts themselves stay
(as bare rows) so that allowing the domain again starts from a clean slate.

Runs as the durable ``domain.purge`` job that fediverse.instances enqueues with the
suspension; it does nothing when the domain was allowed again before it ran.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from databases.core import Connection
from sqlalchemy import Table, delete, func, or_, select, update

from fediverse.instances import PURGE_JOB
from fediverse.jobs import JobRegistry
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    accounts,
    favourites,
    follow_requests,
    follows,
    group_memberships,
    home_feed,
    instances,
    notifications,
    statuses,
)

BATCH = 500


def _domain_accounts(domain: str) -> Any:
    """The accounts of ``domain`` and of its subdomains (a policy covers those too)."""
    return select(accounts.c.id).where(
        or_(accounts.c.domain == domain, accounts.c.domain.like(f"%.{domain}"))
    )


async def _still_suspended(conn: Connection, domain: str) -> bool:
    found = await conn.fetch_val(select(instances.c.policy).where(instances.c.domain == domain))
    return bool(found == "suspend")


async def _local_partners(conn: Connection, table: Table, ids: list[int]) -> set[int]:
    """Local accounts on the other side of ``table``'s relations with ``ids``."""
    rows = await conn.fetch_all(
        select(table.c.account_id, table.c.target_account_id).where(
            or_(table.c.account_id.in_(ids), table.c.target_account_id.in_(ids))
        )
    )
    pairs = [(int(row[0]), int(row[1])) for row in rows]
    return {a for pair in pairs for a in pair if a not in ids}


async def _recount(conn: Connection, account_ids: set[int]) -> None:
    if not account_ids:
        return
    for column, side in (
        ("followers_count", "target_account_id"),
        ("following_count", "account_id"),
    ):
        counted = (
            select(func.count())
            .select_from(follows)
            .where(follows.c[side] == accounts.c.id)
            .scalar_subquery()
        )
        await conn.execute(
            update(accounts).where(accounts.c.id.in_(account_ids)).values({column: counted})
        )


async def _touched_statuses(conn: Connection, ids: list[int]) -> set[int]:
    """Statuses of others that these accounts favourited, boosted or replied to."""
    found: set[int] = set()
    for column in (statuses.c.reblog_of_id, statuses.c.in_reply_to_id):
        rows = await conn.fetch_all(
            select(column).where(statuses.c.account_id.in_(ids), column.is_not(None))
        )
        found |= {int(r[0]) for r in rows}
    rows = await conn.fetch_all(
        select(favourites.c.status_id).where(favourites.c.account_id.in_(ids))
    )
    return found | {int(r[0]) for r in rows}


async def _recount_statuses(conn: Connection, status_ids: set[int]) -> None:
    if not status_ids:
        return
    other = statuses.alias("other")
    counts = {
        "reblogs_count": select(func.count())
        .select_from(other)
        .where(other.c.reblog_of_id == statuses.c.id),
        "replies_count": select(func.count())
        .select_from(other)
        .where(other.c.in_reply_to_id == statuses.c.id),
        "favourites_count": select(func.count())
        .select_from(favourites)
        .where(favourites.c.status_id == statuses.c.id),
    }
    await conn.execute(
        update(statuses)
        .where(statuses.c.id.in_(status_ids))
        .values({name: query.scalar_subquery() for name, query in counts.items()})
    )


async def _purge_accounts(conn: Connection, ids: list[int]) -> None:
    partners = await _local_partners(conn, follows, ids)
    touched = await _touched_statuses(conn, ids)
    for table in (follows, follow_requests):
        await conn.execute(
            delete(table).where(
                or_(table.c.account_id.in_(ids), table.c.target_account_id.in_(ids))
            )
        )
    await conn.execute(
        delete(group_memberships).where(
            or_(
                group_memberships.c.account_id.in_(ids),
                group_memberships.c.group_account_id.in_(ids),
            )
        )
    )
    await conn.execute(delete(notifications).where(notifications.c.from_account_id.in_(ids)))
    await conn.execute(delete(favourites).where(favourites.c.account_id.in_(ids)))
    await conn.execute(delete(home_feed).where(home_feed.c.author_account_id.in_(ids)))
    await conn.execute(delete(statuses).where(statuses.c.account_id.in_(ids)))
    await conn.execute(
        update(accounts)
        .where(accounts.c.id.in_(ids))
        .values(statuses_count=0, followers_count=0, following_count=0)
    )
    await _recount(conn, partners)
    await _recount_statuses(conn, touched)


async def purge_domain(store: Store, payload: dict[str, Any]) -> int:
    """Remove what we hold from a suspended domain, a batch of accounts per transaction.

    Returns the number of accounts purged; 0 when the domain is no longer suspended.
    """
    domain = str(payload["domain"])
    async with store.read() as conn:
        if not await _still_suspended(conn, domain):
            return 0
        ids = [int(r[0]) for r in await conn.fetch_all(_domain_accounts(domain))]
    for start in range(0, len(ids), BATCH):
        async with store.write() as conn:
            await _purge_accounts(conn, ids[start : start + BATCH])
    return len(ids)


def register(registry: JobRegistry, store: Store) -> None:
    async def run(store: Store, payload: dict[str, Any]) -> None:
        await purge_domain(store, payload)

    registry.register(PURGE_JOB, partial(run, store))
