"""The store: transactions commit or roll back whole; id nodes never collide."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from fediverse.errors import NotFoundError, StorageError
from fediverse.events import Event, EventBus, PostgresEventBus
from fediverse.ids import now_ms
from fediverse.rawsql import Plan, Query
from fediverse.storage.database import Store, check_schema, driver_url, pool_url, sqlalchemy_url
from fediverse.storage.migrate import upgrade
from fediverse.storage.nodes import LEASE_MS, claim_node, release_node, renew_node
from fediverse.storage.tables import id_nodes, instance_settings
from tests.support.databases import postgres_database


async def count_settings(store: Store) -> int:
    async with store.read() as conn:
        return int(await conn.fetch_val(select(func.count()).select_from(instance_settings)))


async def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.write() as conn:
            await conn.execute(insert(instance_settings).values(key="a", value="1", updated_at=1))
            raise RuntimeError("boom")
    assert await count_settings(store) == 0
    async with store.write() as conn:
        await conn.execute(insert(instance_settings).values(key="a", value="1", updated_at=1))
    assert await count_settings(store) == 1


async def test_two_processes_claim_different_nodes(store: Store, database_url: str) -> None:
    other = Store(database_url)
    await other.connect()
    try:
        first = await claim_node(other, "other-process")
        second = await claim_node(store, "this-process")
    finally:
        await other.disconnect()
    assert first != second
    assert store.new_id() != other.new_id()


async def test_an_expired_node_is_claimed_again(store: Store) -> None:
    async with store.write() as conn:
        await conn.execute(insert(id_nodes).values(node=5, holder="dead", expires_at=now_ms() - 1))
    taken = {await claim_node(store, f"p{i}") for i in range(7)}
    assert 5 in taken


async def test_a_lost_lease_is_replaced_by_a_new_claim(store: Store) -> None:
    node = await claim_node(store, "me")
    await release_node(store, node, "me")
    async with store.write() as conn:
        await conn.execute(
            insert(id_nodes).values(node=node, holder="thief", expires_at=now_ms() + LEASE_MS)
        )
    assert await renew_node(store, node, "me") != node


async def test_a_store_without_a_node_refuses_to_make_ids(database_url: str) -> None:
    bare = Store(database_url)
    with pytest.raises(StorageError, match="no id node claimed"):
        bare.new_id()


async def test_an_uninitialised_database_is_refused_with_advice(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    empty = Store(f"sqlite:///{tmp_path}/empty.db")
    await empty.connect()
    try:
        with pytest.raises(StorageError, match="run `kollegium init`"):
            await check_schema(empty)
    finally:
        await empty.disconnect()


async def test_a_missing_sqlite_file_is_refused_and_not_created(tmp_path: Path) -> None:
    missing = Store(f"sqlite:///{tmp_path}/missing.db")
    with pytest.raises(StorageError, match="there is no database at"):
        await missing.connect()
    assert not (tmp_path / "missing.db").exists()


def test_pool_options_are_defaulted_for_the_pool_and_hidden_from_drivers() -> None:
    url = "postgresql://kollegium@db:5432/k?max_size=4&sslmode=require"
    assert pool_url(url) == "postgresql://kollegium@db:5432/k?min_size=1&max_size=4&sslmode=require"
    assert driver_url(url) == "postgresql://kollegium@db:5432/k?sslmode=require"
    assert pool_url("postgresql://db/k") == "postgresql://db/k?min_size=1&max_size=5"
    assert sqlalchemy_url(url) == "postgresql+asyncpg://kollegium@db:5432/k?sslmode=require"


@pytest.mark.postgres
async def test_a_url_with_pool_options_works_for_migrations_store_and_events() -> None:
    async with postgres_database() as plain:
        url = f"{plain}?min_size=1&max_size=3"
        await asyncio.to_thread(upgrade, url)
        store = Store(url)
        await store.connect()
        bus = PostgresEventBus(url)
        await bus.start()
        try:
            await check_schema(store)
            subscription = bus.subscribe({"t"})
            await bus.publish(Event("t", "update", {}))
            assert (await asyncio.wait_for(subscription.get(), 5)).name == "update"
        finally:
            await bus.stop()
            await store.disconnect()


async def test_after_commit_runs_once_committed_and_never_after_a_rollback(store: Store) -> None:
    seen: list[str] = []

    async def note(what: str) -> None:
        seen.append(what)

    async with store.write() as conn:
        store.after_commit(conn, lambda: note("committed"))
        assert seen == [], "nothing runs before the commit"
    with pytest.raises(RuntimeError):
        async with store.write() as conn:
            store.after_commit(conn, lambda: note("rolled back"))
            raise RuntimeError("boom")
    assert seen == ["committed"]


async def test_a_failing_after_commit_callback_does_not_undo_the_commit(store: Store) -> None:
    async def fail() -> None:
        raise RuntimeError("bus down")

    async with store.write() as conn:
        await conn.execute(insert(instance_settings).values(key="k", value="v", updated_at=1))
        store.after_commit(conn, fail)
    assert await count_settings(store) == 1


async def test_events_are_published_only_after_the_commit(store: Store) -> None:
    bus = EventBus()
    store.events = bus
    subscription = bus.subscribe({"timeline:public"})
    async with store.write() as conn:
        store.publish_after_commit(conn, Event("timeline:public", "update", {"status_id": "1"}))
        assert subscription._queue.empty()
    assert (await asyncio.wait_for(subscription.get(), 1)).data == {"status_id": "1"}


async def test_after_commit_needs_a_write_connection(store: Store) -> None:
    async with store.read() as conn:
        with pytest.raises(StorageError, match=r"needs a connection from Store\.write"):
            store.after_commit(conn, lambda: asyncio.sleep(0))


def _settings_plan(key: str) -> Plan[list[dict[str, Any]]]:
    return (yield Query("SELECT value FROM instance_settings WHERE key = ?", ("value",), (key,)))


async def test_run_small__sees_each_commit_at_once_and_waits_for_no_lock(store: Store) -> None:
    """The token lookup's plans (on SQLite on the event loop's own connection) see what was
    just committed; when SQLite answers busy, the plan runs on the reader's thread."""
    assert await store.run_small(lambda: _settings_plan("colour")) == []
    async with store.write() as conn:
        await conn.execute(
            insert(instance_settings).values(key="colour", value="blå", updated_at=now_ms())
        )
    assert await store.run_small(lambda: _settings_plan("colour")) == [{"value": "blå"}]
    if not store.is_sqlite:
        return
    # SQLite answers busy (a lock another process holds): the plan is made again and runs
    # on the reader's thread; any other error is an error.
    made = 0

    def plan() -> Plan[list[dict[str, Any]]]:
        nonlocal made
        made += 1
        return _settings_plan("colour")

    here = store._here
    assert here is not None
    original = here

    class Busy:
        def execute(self, *args: Any) -> Any:
            raise sqlite3.OperationalError("database is locked")

    class Broken:
        def execute(self, *args: Any) -> Any:
            raise sqlite3.OperationalError("no such table: nowhere")

    try:
        store._here = Busy()  # type: ignore[assignment]
        assert await store.run_small(plan) == [{"value": "blå"}]
        assert made == 2
        store._here = Broken()  # type: ignore[assignment]
        with pytest.raises(sqlite3.OperationalError):
            await store.run_small(plan)
    finally:
        store._here = original


async def test_read__one_cancelled_mid_query_leaves_no_old_snapshot_to_the_next(
    store: Store,
) -> None:
    """A stream whose client leaves cancels its read mid-query; the next read on that
    connection must still see every commit (on SQLite it ran in the cancelled one's
    snapshot, and a stream missed a status just posted)."""
    async with store.write() as conn:
        await conn.execute(insert(instance_settings).values(key="a", value="1", updated_at=1))

    async def read_all() -> None:
        async with store.read() as conn:
            await conn.fetch_all(select(instance_settings))

    cancelled = asyncio.ensure_future(read_all())
    await asyncio.sleep(0)  # the query is on its way to the reader's thread
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    async with store.write() as conn:
        await conn.execute(insert(instance_settings).values(key="b", value="2", updated_at=2))
    assert await count_settings(store) == 2


_SET = "INSERT INTO instance_settings (key, value, updated_at) VALUES (?, ?, ?)"
_CHANGE = "UPDATE instance_settings SET value = ? WHERE key = ?"


def _set_then_change(key: str, *, fail: bool = False) -> Plan[list[dict[str, Any]]]:
    """Writes, a read of what it wrote, a write that depends on the read; or a failure."""
    yield Query(_SET, (), (key, "1", now_ms()))
    written = yield from _settings_plan(key)
    yield Query(_CHANGE, (), (f"{written[0]['value']}+1", key))
    if fail:
        raise NotFoundError("Record not found")
    return (yield from _settings_plan(key))


async def test_write_plan__commits_and_its_reads_see_its_own_writes(store: Store) -> None:
    assert await store.write_plan(_set_then_change("a")) == [{"value": "1+1"}]
    assert await store.run(_settings_plan("a")) == [{"value": "1+1"}]


async def test_write_plan__an_exception_rolls_all_of_it_back(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.write_plan(_set_then_change("a", fail=True))
    assert await count_settings(store) == 0
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):  # the driver's own error
        await store.write_plan(_twice("b"))
    assert await count_settings(store) == 0
    assert await store.write_plan(_set_then_change("c")) == [{"value": "1+1"}]


def _twice(key: str) -> Plan[None]:
    yield Query(_SET, (), (key, "1", now_ms()))
    yield Query(_SET, (), (key, "2", now_ms()))


async def test_write_plan__runs_one_at_a_time_beside_other_writes(store: Store) -> None:
    async def write_in_steps() -> None:
        async with store.write() as conn:
            await conn.execute(insert(instance_settings).values(key="w", value="1", updated_at=1))
            await asyncio.sleep(0.01)  # other writers wait, and then see it whole

    plans = [store.write_plan(_set_then_change(f"k{n}")) for n in range(10)]
    answers = await asyncio.gather(*plans[:5], write_in_steps(), *plans[5:])
    assert [a for a in answers if a is not None] == [[{"value": "1+1"}]] * 10
    assert await count_settings(store) == 11


async def test_publish__sends_now_and_a_failing_bus_only_logs(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    bus = EventBus()
    store.events = bus
    subscription = bus.subscribe({"author:1"})
    await store.publish([Event("author:1", "update", {"status_id": "1"})])
    assert (await asyncio.wait_for(subscription.get(), 1)).data == {"status_id": "1"}

    class Down:
        async def publish(self, event: Any) -> None:
            raise RuntimeError("bus down")

    store.events = Down()
    await store.publish([Event("author:1", "update", {"status_id": "2"})])
    assert "an after-commit callback failed" in caplog.text


@pytest.mark.parametrize("database_kind", ["sqlite"])  # SQLite's own settings
async def test_sqlite_connections_are_set_as_the_store_needs(store: Store) -> None:
    assert store.is_sqlite
    async with store.read() as conn:
        settings = {
            name: await conn.fetch_val(f"PRAGMA {name}")
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "wal_autocheckpoint")
        }
    assert settings == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 10000,
        "wal_autocheckpoint": 10000,
    }
