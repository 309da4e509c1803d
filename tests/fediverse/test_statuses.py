"""Posting: a plain post is one write plan (Store.write_plan) and writes what the general,
step-by-step path writes; everything else falls back to that path, before writing."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from fediverse import tags
from fediverse.errors import NotFoundError
from fediverse.events import EventBus
from fediverse.feeds import fill_all
from fediverse.groups import create_group, join
from fediverse.groups_model import NewGroup
from fediverse.relationships import block, follow
from fediverse.runtime import Runtime
from fediverse.statuses import NewStatus, create_status
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    accounts,
    feed_pending,
    home_feed,
    idempotency_keys,
    jobs,
    notifications,
    statuses,
    statuses_tags,
)
from fediverse.storage.tables import tags as tags_table
from tests.fediverse.conftest import user
from tests.web.mastodon.conftest import snapshot


@pytest.fixture
def plans(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What each write plan answered: None when it sent the post down the general path."""
    answers: list[object] = []
    real = store.write_plan

    async def noting(plan: Any) -> Any:
        answers.append(await real(plan))
        return answers[-1]

    monkeypatch.setattr(store, "write_plan", noting)
    return answers


def general_path_only(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every post's plan answers "take the general path", as it does for a group or
    subscribers; other plans (the feed filler's) run."""
    write_plan = store.write_plan

    async def declined(plan: Any) -> Any:
        if plan.gi_code.co_name != "_plain_post":
            return await write_plan(plan)
        plan.close()
        return None

    monkeypatch.setattr(store, "write_plan", declined)


async def written(store: Store, *status_ids: int) -> list[dict[str, Any]]:
    """What posting wrote for each status, without what must differ between two posts; the
    followers' home feeds as the filler then writes them (fediverse.feeds)."""
    async with store.read() as conn:
        waiting = await conn.fetch_all(select(feed_pending))
    await fill_all(store)
    return [await _written(store, i, [r[1] for r in waiting if r[0] == i]) for i in status_ids]


async def _written(store: Store, status_id: int, pending: list[int]) -> dict[str, Any]:
    async with store.read() as conn:
        found = await conn.fetch_one(select(statuses).where(statuses.c.id == status_id))
        assert found is not None
        row = dict(found._mapping)
        tag_names = await conn.fetch_all(
            select(tags_table.c.name)
            .join(statuses_tags, statuses_tags.c.tag_id == tags_table.c.id)
            .where(statuses_tags.c.status_id == status_id)
        )
        feeds = await conn.fetch_all(
            select(home_feed.c.account_id, home_feed.c.author_account_id).where(
                home_feed.c.status_id == status_id
            )
        )
        keys = await conn.fetch_all(
            select(idempotency_keys.c.account_id).where(idempotency_keys.c.status_id == status_id)
        )
        job_rows = await conn.fetch_all(select(jobs))
    for name in ("id", "uri", "url", "created_at"):
        row.pop(name)
    if row["conversation_id"] == status_id:
        row["conversation_id"] = "its own"
    ours = [{**dict(j._mapping), "payload": orjson.loads(j._mapping["payload"])} for j in job_rows]
    ours = [j for j in ours if j["payload"].get("status_id") == status_id]
    for job in ours:
        for name in ("id", "run_at", "created_at"):
            job.pop(name)
        job["payload"]["status_id"] = "its own"
    return {
        "status": row,
        "tags": sorted(r[0] for r in tag_names),
        "pending": pending,
        "home_feed": sorted((r[0], r[1]) for r in feeds),
        "keys": [r[0] for r in keys],
        "jobs": ours,
    }


async def counts(store: Store, author: int, target: int) -> tuple[int, int, bool]:
    async with store.read() as conn:
        posted = await conn.fetch_one(
            select(accounts.c.statuses_count, accounts.c.last_status_at).where(
                accounts.c.id == author
            )
        )
        replies = await conn.fetch_val(
            select(statuses.c.replies_count).where(statuses.c.id == target)
        )
    assert posted is not None
    return int(posted[0]), int(replies), posted[1] is not None


async def test_a_plain_post_writes_in_one_plan_what_the_general_path_writes(
    store: Store, runtime: Runtime, plans: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    anna, bo, cia = await user(store, "anna"), await user(store, "bo"), await user(store, "cia")
    await follow(store, bo, anna)
    await tags.follow(store, cia, "skola")
    target = await create_status(runtime, bo, NewStatus(text="fråga", local_only=False))
    assert await counts(store, anna, target) == (0, 0, False)

    def post(key: str) -> NewStatus:
        return NewStatus(
            text="svar #Skola",
            in_reply_to_id=target,
            local_only=False,
            idempotency_key=key,
            language="sv",
        )

    planned = await create_status(runtime, anna, post("ett"))
    assert plans[-1] is not None, "the plan wrote the post"
    assert await counts(store, anna, target) == (1, 1, True)
    general_path_only(store, monkeypatch)
    in_steps = await create_status(runtime, anna, post("två"))
    assert await counts(store, anna, target) == (2, 2, True)

    first, second = await written(store, planned, in_steps)
    assert first == second
    assert first["pending"] == [anna], "the followers' rows were left to the filler"
    assert first["tags"] == ["skola"]
    assert first["home_feed"] == sorted([(anna, anna), (bo, anna), (cia, anna)])
    assert first["keys"] == [anna]
    assert [j["payload"] for j in first["jobs"]] == [
        {"kind": "status.create", "status_id": "its own"}
    ]
    assert first["status"]["in_reply_to_id"] == target
    assert first["status"]["conversation_id"] == target


@pytest.mark.parametrize("path", ["plan", "steps"])
async def test_a_reused_idempotency_key_gives_the_first_id_and_writes_nothing(
    store: Store, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    anna = await user(store, "anna")
    if path == "steps":
        general_path_only(store, monkeypatch)
    first = await create_status(runtime, anna, NewStatus(text="en", idempotency_key="k-1"))
    before = await snapshot(store)
    again = await create_status(runtime, anna, NewStatus(text="två", idempotency_key="k-1"))
    assert again == first
    assert await snapshot(store) == before


@pytest.mark.parametrize("path", ["plan", "steps"])
async def test_a_reply_to_a_status_the_author_may_not_see_is_not_found_and_writes_nothing(
    store: Store, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    anna, bo = await user(store, "anna"), await user(store, "bo")
    private = await create_status(runtime, bo, NewStatus(text="bara följare", visibility="private"))
    public = await create_status(runtime, bo, NewStatus(text="alla"))
    await block(store, bo, anna)
    if path == "steps":
        general_path_only(store, monkeypatch)
    before = await snapshot(store)
    for target in (private, public, 12345):
        with pytest.raises(NotFoundError):
            await create_status(
                runtime, anna, NewStatus(text="svar", in_reply_to_id=target, idempotency_key="k")
            )
    assert await snapshot(store) == before


async def test_a_reply_in_a_group_thread_falls_back_and_goes_to_the_group(
    store: Store, runtime: Runtime, plans: list[object]
) -> None:
    anna, bo = await user(store, "anna"), await user(store, "bo")
    group = await create_group(runtime, anna, NewGroup("lag", privacy="open"))
    await join(store, bo, group)
    thread = await create_status(runtime, anna, NewStatus(text="@lag tråden"))
    assert plans == [], "a post that mentions someone takes the general path at once"
    reply = await create_status(runtime, bo, NewStatus(text="svar", in_reply_to_id=thread))
    assert plans == [None]
    async with store.read() as conn:
        found = await conn.fetch_one(
            select(statuses.c.group_id, statuses.c.in_reply_to_id).where(statuses.c.id == reply)
        )
    assert found is not None and (found[0], found[1]) == (group, thread)


async def test_a_post_that_tells_subscribers_falls_back_and_notifies_them(
    store: Store, runtime: Runtime, plans: list[object]
) -> None:
    anna, bo = await user(store, "anna"), await user(store, "bo")
    await follow(store, bo, anna, notify_posts=True)
    target = await create_status(runtime, bo, NewStatus(text="fråga"))
    assert plans[-1] is not None, "bo has no subscribers"
    posted = await create_status(runtime, anna, NewStatus(text="nytt"))
    assert plans[-1] is None
    await create_status(runtime, anna, NewStatus(text="svar", in_reply_to_id=target))
    assert plans[-1] is not None, "a reply to someone else tells no subscriber"
    async with store.read() as conn:
        told = await conn.fetch_all(
            select(notifications.c.account_id, notifications.c.status_id).where(
                notifications.c.type == "status"
            )
        )
    assert [(r[0], r[1]) for r in told] == [(bo, posted)]


@pytest.mark.parametrize("local_only", [True, False])
async def test_only_a_federated_post_enqueues_a_federate_job_and_wakes_the_worker(
    store: Store, runtime: Runtime, plans: list[object], local_only: bool
) -> None:
    anna = await user(store, "anna")
    status_id = await create_status(runtime, anna, NewStatus(text="hej", local_only=local_only))
    assert plans[-1] is not None
    async with store.read() as conn:
        payloads = [orjson.loads(r[0]) for r in await conn.fetch_all(select(jobs.c.payload))]
    expected = [] if local_only else [{"kind": "status.create", "status_id": status_id}]
    assert payloads == expected
    assert runtime.queue._wakeup.is_set() is not local_only


async def test_a_planned_post_is_announced_on_its_topics_once_committed(
    store: Store, runtime: Runtime, plans: list[object]
) -> None:
    bus = EventBus()
    store.events = bus
    anna = await user(store, "anna")
    topics = {f"author:{anna}", "timeline:public", "timeline:public:local", "hashtag:skola"}
    watching = bus.subscribe(topics | {"hashtag:skola:local"})
    status_id = await create_status(runtime, anna, NewStatus(text="#skola", visibility="public"))
    assert plans[-1] is not None
    seen = [await asyncio.wait_for(watching.get(), 1) for _ in range(5)]
    assert {e.topic for e in seen} == topics | {"hashtag:skola:local"}
    assert {(e.name, e.data["status_id"]) for e in seen} == {("update", str(status_id))}
    watching.close()
