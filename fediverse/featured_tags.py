"""Featured hashtags: the tags a user shows on their profile, with how often they used each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, desc, func, insert, select

from fediverse.errors import NotFoundError, ValidationError
from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import featured_tags, statuses, statuses_tags, tags
from fediverse.tags import check_name

MAX_FEATURED = 10


@dataclass(frozen=True, slots=True)
class FeaturedTag:
    id: int
    name: str
    statuses_count: int
    last_status_at: int | None


def _use(account_id: int) -> Any:
    """How many of the account's public posts carry each tag, and the newest one's time."""
    used = (
        select(
            statuses_tags.c.tag_id,
            func.count().label("n"),
            func.max(statuses.c.created_at).label("last"),
        )
        .join(statuses, statuses.c.id == statuses_tags.c.status_id)
        .where(
            statuses.c.account_id == account_id,
            statuses.c.visibility.in_(("public", "unlisted")),
            statuses.c.deleted_at.is_(None),
        )
        .group_by(statuses_tags.c.tag_id)
        .subquery()
    )
    return used


async def featured(store: Store, account_id: int) -> list[FeaturedTag]:
    used = _use(account_id)
    query = (
        select(featured_tags.c.id, tags.c.display_name, used.c.n, used.c.last)
        .join(tags, tags.c.id == featured_tags.c.tag_id)
        .outerjoin(used, used.c.tag_id == featured_tags.c.tag_id)
        .where(featured_tags.c.account_id == account_id)
        .order_by(featured_tags.c.id)
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(query)
    return [FeaturedTag(r[0], r[1], int(r[2] or 0), r[3]) for r in rows]


async def feature(store: Store, account_id: int, name: str) -> FeaturedTag:
    bare = check_name_or_422(name)
    async with store.write() as conn:
        tag_id = await conn.fetch_val(select(tags.c.id).where(tags.c.name == bare.lower()))
        if tag_id is None:
            tag_id = store.new_id()
            await conn.execute(
                insert(tags).values(
                    id=tag_id, name=bare.lower(), display_name=bare, created_at=now_ms()
                )
            )
        mine = featured_tags.c.account_id == account_id
        if await conn.fetch_val(
            select(featured_tags.c.id).where(mine, featured_tags.c.tag_id == tag_id)
        ):
            raise ValidationError("Validation failed: Tag has already been featured")
        count = await conn.fetch_val(select(func.count()).select_from(featured_tags).where(mine))
        if count >= MAX_FEATURED:
            raise ValidationError(f"Validation failed: You can feature at most {MAX_FEATURED} tags")
        featured_id = store.new_id()
        await conn.execute(
            insert(featured_tags).values(
                id=featured_id, account_id=account_id, tag_id=tag_id, created_at=now_ms()
            )
        )
    return next(f for f in await featured(store, account_id) if f.id == featured_id)


def check_name_or_422(name: str) -> str:
    try:
        return check_name(name)
    except NotFoundError:
        raise ValidationError("Validation failed: Tag is not a valid hashtag") from None


async def unfeature(store: Store, account_id: int, featured_id: int) -> None:
    async with store.write() as conn:
        gone = await conn.fetch_all(
            delete(featured_tags)
            .where(featured_tags.c.id == featured_id, featured_tags.c.account_id == account_id)
            .returning(featured_tags.c.id)
        )
    if not gone:
        raise NotFoundError("Record not found")


async def suggestions(store: Store, account_id: int, *, limit: int = 10) -> list[str]:
    """The tags the account used most and does not feature yet."""
    used = _use(account_id)
    query = (
        select(tags.c.display_name)
        .join(used, used.c.tag_id == tags.c.id)
        .where(
            tags.c.id.not_in(
                select(featured_tags.c.tag_id).where(featured_tags.c.account_id == account_id)
            )
        )
        .order_by(desc(used.c.n), tags.c.name)
        .limit(limit)
    )
    async with store.read() as conn:
        return [r[0] for r in await conn.fetch_all(query)]
