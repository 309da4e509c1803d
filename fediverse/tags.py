"""Hashtags as things to follow: a tag's recent use, following and unfollowing, and putting
posts with a followed tag into the follower's home feed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, distinct, func, insert, select

from fediverse.errors import NotFoundError
from fediverse.hydrate import Row
from fediverse.ids import id_at, now_ms
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.storage.database import Store
from fediverse.storage.tables import statuses, statuses_tags, tag_follows, tags

DAY_MS = 86_400_000
HISTORY_DAYS = 7
_NAME = re.compile(r"^\w{1,200}$")

# Public posts with a hashtag reach the home feeds of the tag's local followers, in the
# posting transaction, as the followers' own follows do (fediverse.feeds).
FAN_OUT_TO_TAG_FOLLOWERS = (
    "INSERT INTO home_feed (account_id, status_id, author_account_id) "
    "SELECT DISTINCT tf.account_id, CAST(? AS BIGINT), CAST(? AS BIGINT) FROM tag_follows tf "
    "JOIN statuses_tags st ON st.tag_id = tf.tag_id WHERE st.status_id = ? "
    "ON CONFLICT DO NOTHING"
)


def tag_fan_out_statement(
    status_id: int, author_id: int, *, visibility: str
) -> list[tuple[str, list[object]]]:
    """The statement for a new status, after its tags are linked; none unless public."""
    if visibility != "public":
        return []
    return [(FAN_OUT_TO_TAG_FOLLOWERS, [status_id, author_id, status_id])]


def check_name(name: str) -> str:
    """A tag name as clients send it (``#`` optional); a 404 for one that cannot be a tag."""
    bare = name.lstrip("#")
    if not _NAME.match(bare):
        raise NotFoundError("Record not found")
    return bare


@dataclass(frozen=True, slots=True)
class TagInfo:
    id: int | None
    name: str
    history: list[dict[str, str]]
    following: bool | None


async def _history(store: Store, tag_id: int | None, now: int) -> list[dict[str, str]]:
    """Uses and distinct authors per day for the last week, newest day first."""
    today = now - now % DAY_MS
    days = [today - n * DAY_MS for n in range(HISTORY_DAYS)]
    counts: dict[int, tuple[int, int]] = {}
    if tag_id is not None:
        day = (statuses.c.created_at // DAY_MS * DAY_MS).label("day")
        async with store.read() as conn:
            rows = await conn.fetch_all(
                select(day, func.count(), func.count(distinct(statuses.c.account_id)))
                .join(statuses_tags, statuses_tags.c.status_id == statuses.c.id)
                .where(
                    statuses_tags.c.tag_id == tag_id,
                    statuses.c.id >= id_at(days[-1]),
                    statuses.c.deleted_at.is_(None),
                )
                .group_by(day)
            )
        counts = {int(r[0]): (int(r[1]), int(r[2])) for r in rows}
    return [
        {
            "day": str(d // 1000),
            "uses": str(counts.get(d, (0, 0))[0]),
            "accounts": str(counts.get(d, (0, 0))[1]),
        }
        for d in days
    ]


async def tag_info(store: Store, name: str, viewer: int | None) -> TagInfo:
    bare = check_name(name)
    async with store.read() as conn:
        row = await conn.fetch_one(select(tags).where(tags.c.name == bare.lower()))
        following = None
        if viewer is not None:
            following = row is not None and bool(
                await conn.fetch_val(
                    select(tag_follows.c.id).where(
                        tag_follows.c.account_id == viewer, tag_follows.c.tag_id == row[0]
                    )
                )
            )
    tag_id = row._mapping["id"] if row is not None else None
    display = row._mapping["display_name"] if row is not None else bare
    return TagInfo(tag_id, display, await _history(store, tag_id, now_ms()), following)


async def _ensure_tag(store: Store, bare: str) -> int:
    async with store.write() as conn:
        found = await conn.fetch_val(select(tags.c.id).where(tags.c.name == bare.lower()))
        if found is not None:
            return int(found)
        tag_id = store.new_id()
        await conn.execute(
            insert(tags).values(
                id=tag_id, name=bare.lower(), display_name=bare, created_at=now_ms()
            )
        )
        return tag_id


async def follow(store: Store, viewer: int, name: str) -> TagInfo:
    """Follow a tag (made if never seen); following it again changes nothing."""
    tag_id = await _ensure_tag(store, check_name(name))
    async with store.write() as conn:
        present = await conn.fetch_val(
            select(tag_follows.c.id).where(
                tag_follows.c.account_id == viewer, tag_follows.c.tag_id == tag_id
            )
        )
        if present is None:
            await conn.execute(
                insert(tag_follows).values(
                    id=store.new_id(), account_id=viewer, tag_id=tag_id, created_at=now_ms()
                )
            )
    return await tag_info(store, name, viewer)


async def unfollow(store: Store, viewer: int, name: str) -> TagInfo:
    bare = check_name(name)
    async with store.write() as conn:
        tag_id = await conn.fetch_val(select(tags.c.id).where(tags.c.name == bare.lower()))
        if tag_id is not None:
            await conn.execute(
                delete(tag_follows).where(
                    tag_follows.c.account_id == viewer, tag_follows.c.tag_id == tag_id
                )
            )
    return await tag_info(store, name, viewer)


async def followed(store: Store, viewer: int, page: PageQuery) -> tuple[list[Row], list[int]]:
    """The tags the viewer follows, paged by when they followed them."""
    query = (
        select(tags, tag_follows.c.id.label("follow_id"))
        .join(tag_follows, tag_follows.c.tag_id == tags.c.id)
        .where(tag_follows.c.account_id == viewer)
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(apply_page(query, tag_follows.c.id, page))
    found = newest_first([r._mapping for r in rows], page)
    return found, [r["follow_id"] for r in found]


async def following_names(store: Store, viewer: int, names: list[str]) -> set[str]:
    """Which of ``names`` (lower-cased) the viewer follows: for search results."""
    if not names:
        return set()
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(tags.c.name)
            .join(tag_follows, tag_follows.c.tag_id == tags.c.id)
            .where(tag_follows.c.account_id == viewer, tags.c.name.in_(names))
        )
    return {r[0] for r in rows}
