"""Which topics a status is announced on, and what a home stream listens to."""

from __future__ import annotations

from sqlalchemy import insert

from fediverse.events import EventBus
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, follows
from fediverse.streams import announce_status, home_topics, status_topics


def test_a_public_local_status_reaches_the_author_mentions_timelines_and_tags() -> None:
    topics = status_topics(
        author_id=1, visibility="public", local_author=True, tags=["Skola"], mentioned_ids=[7]
    )
    assert topics == [
        "author:1",
        "user:7",
        "timeline:public",
        "timeline:public:local",
        "hashtag:skola",
        "hashtag:skola:local",
    ]


def test_a_remote_status_goes_to_the_remote_timeline_and_never_to_local_tags() -> None:
    topics = status_topics(author_id=2, visibility="public", local_author=False, tags=["skola"])
    assert topics == ["author:2", "timeline:public", "timeline:public:remote", "hashtag:skola"]


def test_followers_only_and_direct_statuses_stay_off_public_timelines() -> None:
    assert status_topics(author_id=1, visibility="private", local_author=True, tags=["x"]) == [
        "author:1"
    ]
    direct = status_topics(author_id=1, visibility="direct", local_author=True, mentioned_ids=[5])
    assert direct == ["author:1", "user:5", "direct:1", "direct:5"]


async def test_a_home_stream_listens_to_the_user_and_every_followed_author(store: Store) -> None:
    async with store.write() as conn:
        for account_id in (1, 2, 3):
            await conn.execute(
                insert(accounts).values(
                    id=account_id,
                    username=f"u{account_id}",
                    uri=f"https://k.test/u{account_id}",
                    created_at=1,
                    updated_at=1,
                )
            )
        await conn.execute(
            insert(follows).values(id=10, account_id=1, target_account_id=3, created_at=1)
        )
    async with store.read() as conn:
        assert await home_topics(conn, 1) == {"user:1", "author:1", "author:3"}


async def test_announcements_go_out_once_per_topic_after_the_commit(store: Store) -> None:
    bus = EventBus()
    store.events = bus
    subscription = bus.subscribe({"author:1", "timeline:public"})
    async with store.write() as conn:
        announce_status(store, conn, "update", 42, ["author:1", "timeline:public", "author:1"])
    names = [(await subscription.get()).topic for _ in range(2)]
    assert names == ["author:1", "timeline:public"]
    assert subscription._queue.empty()
