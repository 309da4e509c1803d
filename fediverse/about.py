"""Facts about this instance for its public description: counts, peers, contact."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, users

MONTH_MS = 30 * 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class InstanceStats:
    user_count: int
    status_count: int
    domain_count: int
    active_month: int
    contact_account_id: int | None


async def instance_stats(store: Store) -> InstanceStats:
    async with store.read() as conn:
        user_count = await conn.fetch_val(select(func.count()).select_from(users))
        # The local accounts' own counters, as Mastodon sums them: counting the statuses
        # read every row of the largest table for a public, unauthenticated request.
        status_count = await conn.fetch_val(
            select(func.coalesce(func.sum(accounts.c.statuses_count), 0)).where(
                accounts.c.domain.is_(None)
            )
        )
        domain_count = await conn.fetch_val(
            select(func.count(distinct(accounts.c.domain))).where(accounts.c.domain.is_not(None))
        )
        active = await conn.fetch_val(
            select(func.count())
            .select_from(accounts)
            .where(accounts.c.domain.is_(None), accounts.c.last_status_at > now_ms() - MONTH_MS)
        )
        contact = await conn.fetch_val(
            select(users.c.account_id).where(users.c.role == "admin").order_by(users.c.id).limit(1)
        )
    return InstanceStats(
        int(user_count or 0),
        int(status_count or 0),
        int(domain_count or 0),
        int(active or 0),
        int(contact) if contact is not None else None,
    )


async def peers(store: Store) -> list[str]:
    """Every domain we know accounts of."""
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(distinct(accounts.c.domain))
            .where(accounts.c.domain.is_not(None))
            .order_by(accounts.c.domain)
        )
    return [r[0] for r in rows]
