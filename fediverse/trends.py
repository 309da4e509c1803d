"""Trends computed from this instance's own activity: hashtags used by the most people this
week, and the public posts of the last two days that drew the most favourites, boosts and
replies. Nothing comes from other servers' trends."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import desc, distinct, func, select

from fediverse.hydrate import STATUS_COLUMNS, Row
from fediverse.ids import id_at, now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import statuses, statuses_tags, tags
from fediverse.visibility import can_see, not_hidden_from

DAY_MS = 86_400_000
TAG_WINDOW_DAYS = 7
STATUS_WINDOW_MS = 2 * DAY_MS


@dataclass(frozen=True, slots=True)
class TrendingTag:
    id: int
    name: str
    accounts: int
    uses: int


async def trending_tags(store: Store, *, limit: int, offset: int = 0) -> list[TrendingTag]:
    """Trendable tags by how many local people used them in public posts this week."""
    since = id_at(now_ms() - TAG_WINDOW_DAYS * DAY_MS)
    people = func.count(distinct(statuses.c.account_id)).label("people")
    query = (
        select(tags.c.id, tags.c.display_name, people, func.count().label("uses"))
        .join(statuses_tags, statuses_tags.c.tag_id == tags.c.id)
        .join(statuses, statuses.c.id == statuses_tags.c.status_id)
        .where(
            statuses.c.id >= since,
            statuses.c.local.is_(True),
            statuses.c.visibility == "public",
            statuses.c.deleted_at.is_(None),
            tags.c.trendable.is_(True),
        )
        .group_by(tags.c.id, tags.c.display_name)
        .order_by(desc("people"), desc("uses"), tags.c.id)
        .limit(limit)
        .offset(offset)
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(query)
    return [TrendingTag(r[0], r[1], int(r[2]), int(r[3])) for r in rows]


async def trending_statuses(
    store: Store, viewer: int | None, *, limit: int, offset: int = 0
) -> list[Row]:
    """Public local posts of the last two days with the most interactions, for the viewer."""
    since = id_at(now_ms() - STATUS_WINDOW_MS)
    score = statuses.c.favourites_count + statuses.c.reblogs_count + statuses.c.replies_count
    query = (
        select(*STATUS_COLUMNS)
        .where(
            statuses.c.id >= since,
            statuses.c.local.is_(True),
            statuses.c.visibility == "public",
            statuses.c.reblog_of_id.is_(None),
            statuses.c.deleted_at.is_(None),
            score > 0,
            can_see(viewer),
            not_hidden_from(viewer),
        )
        .order_by(score.desc(), statuses.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    async with store.read() as conn:
        return [r._mapping for r in await conn.fetch_all(query)]
