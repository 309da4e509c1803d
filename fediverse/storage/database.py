"""The database handle: held connections for reading, one transaction at a time for writing.

``databases`` opens a new aiosqlite connection (and thread) for every task that has none,
which costs more than the query. On SQLite the store therefore keeps its connections open
for its whole life: one writer, guarded by a lock because SQLite has one writer anyway, and
a few readers, which WAL lets read beside the writer. On PostgreSQL every unit of work takes
a connection from asyncpg's pool.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from databases.core import Connection

from fediverse.errors import StorageError
from fediverse.ids import SnowflakeGenerator
from fediverse.rawsql import Plan, Query, Raw, drive_sqlite
from fediverse.storage.compiled import ShapedDatabase
from fediverse.storage.functions import SQLITE_FOLD, SQLITE_QUOTE, fold_text, quote_text

log = logging.getLogger(__name__)
T = TypeVar("T")
POOL_OPTIONS = frozenset({"min_size", "max_size"})  # read by the pool, unknown to libpq
POOL_DEFAULTS = {"min_size": "1", "max_size": "5"}
PG_STATEMENT_BYTES = 256 * 1024
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    # A checkpoint copies the WAL's pages back into the database, on the connection whose
    # commit passes the limit: the one writer, while everyone waits for it. SQLite's default,
    # every 1,000 pages, took 5.2 of the 7.3 ms a post spent writing on the large dataset (a
    # post touches some 200 home feeds' pages); at 10,000 pages (a WAL of up to 40 MB) pages
    # written again in between are copied once: posting 108 -> 152/s there, 355 -> 415/s on
    # the reference dataset (bench/RESULTS.md).
    "PRAGMA wal_autocheckpoint=10000",
)
# Page cache per connection, in KiB. A reader's cache is emptied whenever another connection
# has written, so a large one buys little on a busy instance and costs resident memory (32 MB
# each took a server with 10,000 cached actors from 127 to 168 MB); the writer's stays valid.
WRITER_CACHE_KIB = 8_000
READER_CACHE_KIB = 2_000
HERE_CACHE_KIB = 500  # the event loop's own connection reads tokens only (Store.run_small)


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL, or None for another database."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])


def driver_url(url: str) -> str:
    """The URL without the pool's own options, for libpq tools, Alembic and lone connections."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k not in POOL_OPTIONS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def pool_url(url: str) -> str:
    """The URL for ``databases``: asyncpg's pool opens ``min_size`` connections at start, 10
    unless told, and a few processes of 10 each exhaust PostgreSQL's 100; so 1 by default.
    At most 5 (``max_size``; Mastodon's default pool is 5 too): a process's event loop keeps
    no more than that busy, and more backends only compete with it for the cores. On two
    cores, 5 against 10 took the home timeline's p99 from 30-35 ms to 9-10 ms at 10 clients,
    with the same rate of posts and deliveries (bench/RESULTS.md)."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    return urlunsplit(parts._replace(query=urlencode(POOL_DEFAULTS | options)))


def sqlalchemy_url(url: str) -> str:
    """The same database as an async SQLAlchemy URL, for Alembic."""
    if url.startswith("sqlite:///"):
        return url.replace("sqlite:///", "sqlite+aiosqlite:///", 1)
    return driver_url(url).replace("postgresql://", "postgresql+asyncpg://", 1)


class Store:
    """Connections to one database; ``read()``, ``run()`` (a plan of reads), ``write()`` and
    ``write_plan()`` (a plan that writes) are the only ways in.

    On SQLite each connection is a thread of aiosqlite's. One reader beside the writer is
    the default because it measured best: the home timeline under 10 clients on 2 cores
    served 600 requests/s with p99 30 ms on one reader, 577/s with p99 113 ms on two and
    385/s with p99 80 ms on four, the extra threads spending their time waiting for the GIL.
    A read never holds its connection while it waits for another read.
    """

    def __init__(self, url: str, *, readers: int = 1) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite:")
        self.dialect = "sqlite" if self.is_sqlite else "postgresql"
        if self.is_sqlite:
            self._database = ShapedDatabase(url)
        else:
            # asyncpg prepares a statement once per connection, but only one shorter than
            # 15 KB by default; the home timeline's (web.mastodon.serializers.sqljson) is
            # longer, and preparing it again for every request cost 10 ms.
            self._database = ShapedDatabase(
                pool_url(url),
                max_cacheable_statement_size=PG_STATEMENT_BYTES,
                reset=_keep_session,
            )
        self._reader_count = readers
        self._readers: asyncio.Queue[Connection] = asyncio.Queue()
        self._reading: list[Connection] = []  # the same readers, for plans (see run)
        self._next_reader = 0
        self._here: sqlite3.Connection | None = None  # see run_small
        self._held: list[Connection] = []
        self._writer: Connection | None = None
        self._write_lock = asyncio.Lock()
        self._ids: SnowflakeGenerator | None = None
        self._after_commit: dict[int, list[Callable[[], Awaitable[None]]]] = {}
        self.events: Publisher | None = None  # the process's event bus, set by open_runtime

    async def connect(self) -> None:
        path = sqlite_path(self.url)
        if path is not None and not path.exists():
            # Only migrations create a database; anything else would leave an empty file.
            raise StorageError(f"there is no database at {path}: run `kollegium init`")
        try:
            await self._database.connect()
            if self.is_sqlite:
                await self._open_sqlite_connections()
        except (OSError, ConnectionError) as exc:
            raise StorageError(f"cannot reach the database: {exc}") from exc

    async def _open_sqlite_connections(self) -> None:
        path = sqlite_path(self.url)
        assert path is not None
        # No busy wait: a lookup that would wait goes to the reader's thread instead.
        self._here = sqlite3.connect(path, check_same_thread=False, timeout=0)
        self._here.execute(f"PRAGMA cache_size=-{HERE_CACHE_KIB}")
        self._writer = await self._hold(WRITER_CACHE_KIB)
        for _ in range(self._reader_count):
            reader = await self._hold(READER_CACHE_KIB)
            self._reading.append(reader)
            self._readers.put_nowait(reader)

    async def _hold(self, cache_kib: int) -> Connection:
        connection = Connection(self._database, self._database._backend)
        await connection.__aenter__()
        self._held.append(connection)
        for pragma in (*SQLITE_PRAGMAS, f"PRAGMA cache_size=-{cache_kib}"):
            await connection.execute(pragma)
        for name, function in ((SQLITE_FOLD, fold_text), (SQLITE_QUOTE, quote_text)):
            await connection.raw_connection.create_function(name, 1, function, deterministic=True)
        return connection

    async def disconnect(self) -> None:
        for connection in self._held:
            await connection.__aexit__()
        self._held.clear()
        self._reading.clear()
        if self._here is not None:
            self._here.close()
            self._here = None
        self._writer = None
        self._readers = asyncio.Queue()
        await self._database.disconnect()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Connection]:
        """A connection for reading; what it sees is committed data."""
        if not self.is_sqlite:
            async with self._database.connection() as connection:
                yield connection
            return
        connection = await self._readers.get()
        try:
            yield connection
        except asyncio.CancelledError:
            _drop_orphaned_cursor(connection)
            raise
        finally:
            self._readers.put_nowait(connection)

    async def run(self, plan: Plan[T]) -> T:
        """Run a plan of reads (``fediverse.rawsql``), for the hottest paths.

        On SQLite the whole plan is one job on a reader's thread, queued there behind the
        jobs of other requests rather than waiting to hold the connection: a reader that
        is handed out waits, idle, until the event loop gets round to giving it back, and
        under load that wait was longer than the reads. A plan never spans two jobs, so
        sharing the connection changes nothing it sees.
        """
        if not self.is_sqlite or not self._reading:
            async with self.read() as conn:
                return await Raw(conn).run(plan)
        self._next_reader = (self._next_reader + 1) % len(self._reading)
        return await Raw(self._reading[self._next_reader]).run(plan)

    async def run_small(self, plan_of: Callable[[], Plan[T]]) -> T:
        """Run a plan of a few indexed lookups, as ``run`` does, for what every request reads
        first (its token).

        On SQLite it runs right here, on the event loop's thread, on a connection of its
        own: a lookup takes some 30 µs, less than a trip to the reader's thread, and the
        reader, which writes the pages, is what limits the throughput. A lookup that would
        have to wait for a lock (SQLite answers busy at once: no timeout) goes to the
        reader's thread after all, with the plan made again.
        """
        if self._here is None:
            return await self.run(plan_of())
        try:
            return drive_sqlite(self._here, plan_of())
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            return await self.run(plan_of())

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Connection]:
        """A connection inside a transaction, committed when the block ends without error.

        What was registered with ``after_commit`` on the connection runs once the outermost
        transaction has committed, and never if it rolled back.
        """
        async with self._transaction() as connection:
            key = id(connection)
            outermost = key not in self._after_commit
            pending = self._after_commit.setdefault(key, [])
            try:
                yield connection
            finally:
                if outermost:
                    del self._after_commit[key]
        if outermost:
            await _run_after_commit(pending)

    async def write_alone(self, statement: str, *args: Any) -> None:
        """One hand-written statement (``fediverse.rawsql``) as a transaction of its own.

        On SQLite that is one trip to the writer's thread in autocommit, instead of three
        (BEGIN, the statement, COMMIT) each waited for while other writers queue.
        """
        if not self.is_sqlite:
            async with self.write() as conn:
                await Raw(conn).execute(statement, *args)
            return
        assert self._writer is not None, "Store.connect() was not called"
        async with self._write_lock:
            await Raw(self._writer).execute(statement, *args)

    async def insert_then(
        self, insert: str, args: Sequence[Any], then: Sequence[tuple[str, Sequence[Any]]]
    ) -> bool:
        """One transaction of hand-written SQL (``fediverse.rawsql``): ``insert``, an INSERT
        ... RETURNING, and when it made a row the statements of ``then``; False when it made
        none (then nothing else ran).

        A write plan (``write_plan``): on SQLite one trip to the writer's thread.
        """
        return await self.write_plan(_insert_then(insert, args, then))

    async def write_plan(self, plan: Plan[T]) -> T:
        """Run a plan (``fediverse.rawsql``) as one write transaction; returns its value.

        Its statements, writes included (a write is a query of no columns, answered with
        no rows), run in order, and each sees what the ones before it wrote. An exception
        from the plan, such as a NotFoundError after a read, rolls all of it back.

        On SQLite the whole transaction, BEGIN to COMMIT, is one trip to the writer's
        thread, as in ``insert_then``: the one writer is held for the time SQLite takes,
        not for a trip through a busy event loop per statement. The plan runs on that
        thread, so it must not touch the event loop; ``new_id`` is safe there.
        """
        if not self.is_sqlite:
            async with self.write() as conn:
                return await Raw(conn).run(plan)
        assert self._writer is not None, "Store.connect() was not called"
        async with self._write_lock:
            driver = self._writer.raw_connection
            done: T = await driver._execute(_in_transaction, driver._conn, drive_sqlite, plan)
        return done

    def after_commit(self, conn: Connection, callback: Callable[[], Awaitable[None]]) -> None:
        """Run ``callback`` after the transaction of ``conn`` commits (to announce its data)."""
        try:
            self._after_commit[id(conn)].append(callback)
        except KeyError:
            raise StorageError("after_commit needs a connection from Store.write()") from None

    def publish_after_commit(self, conn: Connection, event: Any) -> None:
        """Publish an event (fediverse.events.Event) on this process's bus once committed."""
        bus = self.events
        if bus is not None:
            self.after_commit(conn, lambda: bus.publish(event))

    async def publish(self, events: Iterable[Any]) -> None:
        """Publish events (fediverse.events.Event) on this process's bus now, for data that
        has already committed (``write_plan`` has no connection to wait on); as after a
        commit, a failure is logged and does not reach the caller."""
        bus = self.events
        if bus is not None:
            await _run_after_commit([partial(bus.publish, event) for event in events])

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Connection]:
        if not self.is_sqlite:
            async with self._database.connection() as connection, connection.transaction():
                yield connection
            return
        assert self._writer is not None, "Store.connect() was not called"
        async with self._write_lock:
            await _raw(self._writer, "BEGIN IMMEDIATE")
            try:
                yield self._writer
                await _raw(self._writer, "COMMIT")
            except BaseException:
                await _raw(self._writer, "ROLLBACK")
                raise

    def use_ids(self, generator: SnowflakeGenerator) -> None:
        self._ids = generator

    def new_id(self) -> int:
        """A fresh snowflake id from this process's node."""
        if self._ids is None:
            raise StorageError("no id node claimed: call storage.nodes.claim_node first")
        return self._ids.next_id()


async def _keep_session(_connection: Any) -> None:
    """What asyncpg's pool runs when a connection comes back, after rolling back a
    transaction left open (which it always does).

    Its default also unlistens, closes cursors, unlocks advisory locks and resets settings:
    one more round trip and four statements for PostgreSQL per unit of work, for state this
    code never leaves on a pooled connection (LISTEN has connections of its own,
    ``fediverse.events``; cursors live in transactions; no advisory locks, no SET).
    """


def _drop_orphaned_cursor(connection: Connection) -> None:
    """Free the cursor a read left behind when it was cancelled, before anyone else reads.

    aiosqlite's thread keeps the result of its last job until the next one finishes. A read
    cancelled while its query ran leaves that result, a cursor with a row stepped, unclaimed:
    its statement keeps the connection's read transaction, and so an old snapshot, open.
    The next read would run in that snapshot and miss what was committed since (a stream
    then missed a just-posted status). An empty job, queued ahead of every later reader,
    replaces the result and so frees the cursor.
    """
    thread = connection.raw_connection
    queue = getattr(thread, "_tx", None)
    if queue is not None:
        queue.put_nowait((None, _nothing))


def _nothing() -> None:
    return None


class Publisher(Protocol):
    async def publish(self, event: Any) -> None: ...


async def _run_after_commit(callbacks: list[Callable[[], Awaitable[None]]]) -> None:
    for callback in callbacks:
        try:
            await callback()
        except Exception:  # the data is committed; a lost announcement must not undo that
            log.exception("an after-commit callback failed")


def _in_transaction(connection: sqlite3.Connection, work: Callable[..., T], *args: Any) -> T:
    """``work(connection, *args)`` as one write transaction, inside aiosqlite's thread (its
    connection is in autocommit): committed, or rolled back when it raises."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        done = work(connection, *args)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return done


def _insert_then(
    insert: str, args: Sequence[Any], then: Sequence[tuple[str, Sequence[Any]]]
) -> Plan[bool]:
    """``Store.insert_then`` as a plan."""
    if not (yield Query(insert, ("id",), tuple(args))):
        return False
    for sql, values in then:
        yield Query(sql, (), tuple(values))
    return True


async def _raw(connection: Connection, statement: str) -> None:
    """Send a statement straight to aiosqlite: compiling it through SQLAlchemy as text costs
    more than running it, and a write transaction needs two of these."""
    async with connection.raw_connection.execute(statement):
        pass


SCHEMA_REVISION = "0014"  # the Alembic head this code expects; a test keeps them equal


async def check_schema(store: Store) -> None:
    """Refuse to run on a database that ``kollegium init`` has not brought to this version."""
    try:
        async with store.read() as conn:
            current = await conn.fetch_val("SELECT version_num FROM alembic_version")
    except Exception as exc:  # the driver's own "no such table" error differs per database
        raise StorageError("the database is not initialised: run `kollegium init`") from exc
    if current != SCHEMA_REVISION:
        raise StorageError(
            f"the database schema is at {current!r}, this version needs {SCHEMA_REVISION!r}: "
            "run `kollegium init` to upgrade"
        )
