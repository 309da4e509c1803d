"""Which event-bus topics a status concerns, as Mastodon's streams divide them.

A status is announced on its author's topic; a user's home stream listens to the authors
the user follows (and to itself), so one post makes a handful of events, not one per
follower. Streams check visibility per viewer, so announcing widely is safe.
"""

from __future__ import annotations

from collections.abc import Iterable

from databases.core import Connection
from sqlalchemy import select

from fediverse.events import Event
from fediverse.storage.database import Store
from fediverse.storage.tables import follows

PUBLIC = ("public", "unlisted")


def status_topics(
    *,
    author_id: int,
    visibility: str,
    local_author: bool,
    tags: Iterable[str] = (),
    mentioned_ids: Iterable[int] = (),
) -> list[str]:
    """The topics a status is announced on; public timelines only for a public status."""
    topics = [f"author:{author_id}", *(f"user:{m}" for m in mentioned_ids)]
    if visibility == "direct":
        topics += [f"direct:{m}" for m in (author_id, *mentioned_ids)]
    if visibility != "public":
        return topics
    where = "local" if local_author else "remote"
    topics += ["timeline:public", f"timeline:public:{where}"]
    for tag in tags:
        topics += (
            [f"hashtag:{tag.lower()}", f"hashtag:{tag.lower()}:local"]
            if local_author
            else [f"hashtag:{tag.lower()}"]
        )
    return topics


def status_events(name: str, status_id: int, topics: list[str]) -> list[Event]:
    """A status event for each topic, once."""
    return [Event(topic, name, {"status_id": str(status_id)}) for topic in dict.fromkeys(topics)]


def announce_status(
    store: Store, conn: Connection, name: str, status_id: int, topics: list[str]
) -> None:
    """Announce a status event on each topic once the transaction commits."""
    for event in status_events(name, status_id, topics):
        store.publish_after_commit(conn, event)


async def announce_committed(store: Store, name: str, status_id: int, topics: list[str]) -> None:
    """``announce_status`` for a status already committed by ``Store.write_plan``."""
    await store.publish(status_events(name, status_id, topics))


async def home_topics(conn: Connection, account_id: int) -> set[str]:
    """What a user's home stream listens to: the user, and every author the user follows."""
    rows = await conn.fetch_all(
        select(follows.c.target_account_id).where(follows.c.account_id == account_id)
    )
    return {f"user:{account_id}", f"author:{account_id}", *(f"author:{r[0]}" for r in rows)}
