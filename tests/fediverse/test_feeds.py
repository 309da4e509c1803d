"""Home feeds filled in batches (fediverse.feeds): a post is in its followers' home timelines
from its commit on, filled or pending, once, and filling loses nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from fediverse import feeds, timelines
from fediverse.editing import delete_status
from fediverse.feeds import FeedFiller, fill_all
from fediverse.paging import PageQuery
from fediverse.rawsql import Raw
from fediverse.relationships import follow, mute, unfollow
from fediverse.runtime import Runtime
from fediverse.statuses import NewStatus, create_status
from fediverse.storage.database import Store
from fediverse.storage.tables import feed_pending, home_feed
from tests.fediverse.conftest import BASE, user
from web.mastodon.serializers.sqljson import home_page_plan


async def post(runtime: Runtime, author: int, text: str, **kw: object) -> int:
    return await create_status(runtime, author, NewStatus(text=text, **kw))  # type: ignore[arg-type]


async def home_ids(store: Store, viewer: int, **page: int) -> list[int]:
    """The viewer's home page, read both ways the server reads it; they must agree."""
    query = PageQuery(limit=page.pop("limit", 40), **page)
    rows = await timelines.home(store, viewer, query)
    async with store.read() as conn:
        written = await Raw(conn).run(
            home_page_plan(viewer, query, BASE, postgres=not store.is_sqlite)
        )
    assert [r["id"] for r in rows] == written.ids
    return written.ids


async def feed_rows(store: Store, account_id: int) -> list[int]:
    async with store.read() as conn:
        found = await conn.fetch_all(
            select(home_feed.c.status_id)
            .where(home_feed.c.account_id == account_id)
            .order_by(home_feed.c.status_id.desc())
        )
    return [r[0] for r in found]


async def pending_count(store: Store) -> int:
    async with store.read() as conn:
        return int(await conn.fetch_val(select(func.count()).select_from(feed_pending)))


async def test_a_post_is_in_its_followers_home_before_and_after_filling_once(
    store: Store, runtime: Runtime
) -> None:
    anna, bo, cia = await user(store, "anna"), await user(store, "bo"), await user(store, "cia")
    await follow(store, bo, anna)
    older = await post(runtime, cia, "inte följd")
    first = await post(runtime, anna, "första")
    second = await post(runtime, anna, "andra", visibility="private")
    assert await pending_count(store) == 3
    assert await feed_rows(store, bo) == [], "the followers' rows wait for the filler"
    assert await feed_rows(store, anna) == [second, first], "the author's own row is written"
    assert await home_ids(store, bo) == [second, first]
    assert await home_ids(store, anna) == [second, first]
    assert await home_ids(store, cia) == [older]

    waiting = await feeds.pending_stats(store)
    assert waiting.posts == 3 and 0 <= waiting.oldest_seconds < 60
    assert await fill_all(store) == 3
    assert await pending_count(store) == 0
    assert await feeds.pending_stats(store) == feeds.PendingStats(0, 0.0)
    assert await feed_rows(store, bo) == [second, first]
    assert await home_ids(store, bo) == [second, first]
    assert await fill_all(store) == 0


async def test_pages_mix_filled_and_pending_posts_in_order(store: Store, runtime: Runtime) -> None:
    anna, bo = await user(store, "anna"), await user(store, "bo")
    await follow(store, bo, anna)
    filled = [await post(runtime, anna, f"ifylld {n}") for n in range(3)]
    await fill_all(store)
    waiting = [await post(runtime, anna, f"väntar {n}") for n in range(3)]
    everything = [*reversed(filled + waiting)]
    assert await home_ids(store, bo) == everything
    assert await home_ids(store, bo, limit=2) == everything[:2]
    assert await home_ids(store, bo, limit=2, max_id=waiting[1]) == [waiting[0], filled[2]]
    assert await home_ids(store, bo, limit=2, min_id=filled[1]) == [waiting[0], filled[2]]
    assert await home_ids(store, bo, since_id=waiting[0]) == [waiting[2], waiting[1]]


async def test_what_changed_before_filling_counts_when_read_and_when_filled(
    store: Store, runtime: Runtime
) -> None:
    anna, bo, cia = await user(store, "anna"), await user(store, "bo"), await user(store, "cia")
    await follow(store, bo, anna)
    await follow(store, cia, anna)
    kept = await post(runtime, anna, "blir kvar")
    gone = await post(runtime, anna, "tas bort")
    await unfollow(store, bo, anna)
    await mute(store, cia, anna, notifications=True, duration_s=0)
    assert await home_ids(store, bo) == []
    assert await home_ids(store, cia) == []
    await delete_status(runtime, anna, gone)
    assert await pending_count(store) == 1, "a deleted status leaves nothing to fill"

    await fill_all(store)
    assert await feed_rows(store, bo) == [], "an unfollow before filling: no rows"
    assert await feed_rows(store, cia) == [kept], "muted: filled, and hidden when read"
    assert await home_ids(store, cia) == []


@pytest.mark.parametrize("database_kind", ["sqlite"])  # PostgreSQL fills in one statement
async def test_filling_a_range_of_accounts_at_a_time_never_shows_a_post_twice(
    store: Store, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = await user(store, "anna")
    readers = [await user(store, f"reader{n}") for n in range(5)]
    for reader in readers:
        await follow(store, reader, author)
    status = await post(runtime, author, "till alla")
    monkeypatch.setattr(feeds, "FILL_ACCOUNTS", 2)
    seen: list[list[list[int]]] = []
    real = store.write_alone

    async def between(statement: str, *args: object) -> None:
        await real(statement, *args)
        seen.append([await home_ids(store, r) for r in readers])

    monkeypatch.setattr(store, "write_alone", between)
    await fill_all(store)
    assert len(seen) >= 4, "several ranges, then the batch removed"
    assert all(page == [status] for pages in seen for page in pages)
    assert [await feed_rows(store, r) for r in readers] == [[status]] * len(readers)


async def test_fillers_side_by_side_neither_lose_nor_repeat_a_row(
    store: Store, runtime: Runtime
) -> None:
    authors = [await user(store, f"skribent{n}") for n in range(4)]
    reader = await user(store, "bo")
    for author in authors:
        await follow(store, reader, author)
    posted = [await post(runtime, a, f"inlägg {n}") for n in range(5) for a in authors]
    taken = await asyncio.gather(*(fill_all(store, batch=3) for _ in range(3)))
    assert sum(taken) >= len(posted)
    assert await pending_count(store) == 0
    assert await feed_rows(store, reader) == sorted(posted, reverse=True)


async def test_the_filler_fills_what_a_post_left_and_what_is_left_when_it_stops(
    store: Store, runtime: Runtime
) -> None:
    anna, bo = await user(store, "anna"), await user(store, "bo")
    await follow(store, bo, anna)
    stop = asyncio.Event()
    filler = FeedFiller(store, gather_seconds=0.01, poll_seconds=30)
    task = asyncio.create_task(filler.run(stop))
    first = await post(runtime, anna, "väcker")
    for _ in range(200):
        if await feed_rows(store, bo):
            break
        await asyncio.sleep(0.01)
    assert await feed_rows(store, bo) == [first], "woken by the post, long before its poll"
    filler.gather_seconds = 30
    second = await post(runtime, anna, "kvar när den stannar")
    await asyncio.sleep(0.05)
    stop.set()
    filler.wake()
    await asyncio.wait_for(task, 10)
    assert await feed_rows(store, bo) == [second, first]
    assert await pending_count(store) == 0
