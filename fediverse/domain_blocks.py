"""A user's own domain blocks: posts from accounts of a blocked domain are hidden from them
in public, hashtag and list timelines and in search, and its accounts no longer follow them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from fediverse.errors import ValidationError
from fediverse.ids import now_ms
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.storage.database import Store
from fediverse.storage.tables import account_domain_blocks, accounts, follows

MAX_DOMAIN = 255


def normalize(domain: str) -> str:
    """A domain as Mastodon takes it: lower case, no scheme, path or port; 422 if none."""
    text = domain.strip().lower()
    text = text.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].strip(".")
    if not text or len(text) > MAX_DOMAIN or "." not in text or " " in text:
        raise ValidationError("Validation failed: Domain is not a valid domain name")
    return text


def blocked_account_ids(viewer: int) -> Any:
    """Accounts on domains the viewer blocked, as a subquery for timeline conditions."""
    return select(accounts.c.id).where(
        accounts.c.domain.in_(
            select(account_domain_blocks.c.domain).where(
                account_domain_blocks.c.account_id == viewer
            )
        )
    )


async def block(store: Store, viewer: int, domain: str, local_domain: str) -> None:
    name = normalize(domain)
    if name == local_domain.split(":", 1)[0]:
        raise ValidationError("Validation failed: You cannot block your own domain")
    async with store.write() as conn:
        present = await conn.fetch_val(
            select(account_domain_blocks.c.id).where(
                account_domain_blocks.c.account_id == viewer,
                account_domain_blocks.c.domain == name,
            )
        )
        if present is not None:
            return
        await conn.execute(
            insert(account_domain_blocks).values(
                id=store.new_id(), account_id=viewer, domain=name, created_at=now_ms()
            )
        )
        # As Mastodon does: the domain's accounts stop following the user.
        await conn.execute(
            delete(follows).where(
                follows.c.target_account_id == viewer,
                follows.c.account_id.in_(select(accounts.c.id).where(accounts.c.domain == name)),
            )
        )


async def unblock(store: Store, viewer: int, domain: str) -> None:
    name = normalize(domain)
    async with store.write() as conn:
        await conn.execute(
            delete(account_domain_blocks).where(
                account_domain_blocks.c.account_id == viewer,
                account_domain_blocks.c.domain == name,
            )
        )


async def blocked_domains(
    store: Store, viewer: int, page: PageQuery
) -> tuple[list[str], list[int]]:
    query = select(account_domain_blocks.c.id, account_domain_blocks.c.domain).where(
        account_domain_blocks.c.account_id == viewer
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(apply_page(query, account_domain_blocks.c.id, page))
    found = newest_first([r._mapping for r in rows], page)
    return [r["domain"] for r in found], [r["id"] for r in found]
