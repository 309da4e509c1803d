"""Endorsements: accounts a user features on their profile (Mastodon's account pins)."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select

from fediverse.errors import NotFoundError, ValidationError
from fediverse.hydrate import ACCOUNT_QUERY, Row
from fediverse.ids import now_ms
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.storage.database import Store
from fediverse.storage.tables import account_pins, accounts, follows

MAX_ENDORSEMENTS = 50


async def endorse(store: Store, viewer: int, target: int) -> None:
    """Feature an account one follows; again changes nothing."""
    async with store.write() as conn:
        if await conn.fetch_val(select(accounts.c.id).where(accounts.c.id == target)) is None:
            raise NotFoundError("Record not found")
        follows_it = await conn.fetch_val(
            select(follows.c.id).where(
                follows.c.account_id == viewer, follows.c.target_account_id == target
            )
        )
        if follows_it is None:
            raise ValidationError("Validation failed: You must be following this account")
        pinned = account_pins.c.account_id == viewer
        if await conn.fetch_val(
            select(account_pins.c.id).where(pinned, account_pins.c.target_account_id == target)
        ):
            return
        count = await conn.fetch_val(select(func.count()).select_from(account_pins).where(pinned))
        if count >= MAX_ENDORSEMENTS:
            raise ValidationError(f"Validation failed: at most {MAX_ENDORSEMENTS} endorsements")
        await conn.execute(
            insert(account_pins).values(
                id=store.new_id(), account_id=viewer, target_account_id=target, created_at=now_ms()
            )
        )


async def unendorse(store: Store, viewer: int, target: int) -> None:
    async with store.write() as conn:
        if await conn.fetch_val(select(accounts.c.id).where(accounts.c.id == target)) is None:
            raise NotFoundError("Record not found")
        await conn.execute(
            delete(account_pins).where(
                account_pins.c.account_id == viewer, account_pins.c.target_account_id == target
            )
        )


async def endorsed(store: Store, account_id: int, page: PageQuery) -> tuple[list[Row], list[int]]:
    """The accounts ``account_id`` features, paged by when they were featured."""
    query = (
        ACCOUNT_QUERY.add_columns(account_pins.c.id.label("pin_id"))
        .join(account_pins, account_pins.c.target_account_id == accounts.c.id)
        .where(account_pins.c.account_id == account_id)
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(apply_page(query, account_pins.c.id, page))
    found = newest_first([r._mapping for r in rows], page)
    return found, [r["pin_id"] for r in found]
