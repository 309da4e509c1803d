"""Hand-written SQL for the hot read paths, sent straight to the driver under a connection.

Compiling a SQLAlchemy statement costs more than SQLite takes to run it, so the queries that
every timeline request makes are kept here as text, written once for both databases: ``?``
marks a parameter and ``IN (?ids)`` a list of ids (SQLite reads it from a JSON array,
PostgreSQL as ``= ANY`` of an array). Rows come back as dicts keyed by the given columns.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import orjson
from databases.core import Connection

_LIST = re.compile(r"IN \(\?ids\)")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Query:
    """One read of a plan: the SQL, the names of its columns, its arguments."""

    sql: str
    columns: Sequence[str]
    args: tuple[Any, ...]


# A plan yields the queries it needs, one after another, and gets each one's rows back;
# later queries may depend on earlier rows. Its return value is the plan's result.
Plan = Generator[Query, list[dict[str, Any]], T]


@lru_cache(maxsize=256)
def for_sqlite(sql: str) -> str:
    return _LIST.sub("IN (SELECT value FROM json_each(?))", sql)


@lru_cache(maxsize=256)
def for_postgres(sql: str) -> str:
    text = _LIST.sub("= ANY(?::bigint[])", sql)
    parts = text.split("?")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


class Raw:
    """One connection's driver, for hand-written queries; counts what it sends."""

    def __init__(self, conn: Connection) -> None:
        self.driver: Any = conn.raw_connection
        self.sqlite = hasattr(self.driver, "execute_fetchall")  # aiosqlite, else asyncpg
        self.count = 0

    def _values(self, args: Sequence[Any]) -> list[Any]:
        if self.sqlite:
            return _sqlite_values(args)
        return [list(a) if isinstance(a, set | tuple) else a for a in args]

    async def rows(self, sql: str, columns: Sequence[str], *args: Any) -> list[dict[str, Any]]:
        self.count += 1
        if self.sqlite:
            found = await self.driver.execute_fetchall(for_sqlite(sql), self._values(args))
            return [dict(zip(columns, row, strict=True)) for row in found]
        records = await self.driver.fetch(for_postgres(sql), *self._values(args))
        return [dict(zip(columns, record, strict=True)) for record in records]

    async def run(self, plan: Plan[T]) -> T:
        """Run a plan of dependent reads: on SQLite all of it in one trip to the driver's
        thread (each trip costs more than a small indexed query), on PostgreSQL one
        round trip per query."""
        if self.sqlite:
            return await self.driver._execute(self._drive_here, plan)  # type: ignore[no-any-return]
        try:
            query = next(plan)
            while True:
                found = await self.rows(query.sql, query.columns, *query.args)
                query = plan.send(found)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    def _drive_here(self, plan: Plan[T]) -> T:
        """``run`` on SQLite, inside the driver's thread: plain sqlite3 calls."""
        return drive_sqlite(self.driver._conn, plan, self)

    async def execute(self, sql: str, *args: Any) -> None:
        """Run a statement (inside the caller's transaction when the connection has one)."""
        self.count += 1
        if self.sqlite:
            async with self.driver.execute(for_sqlite(sql), self._values(args)):
                return
        await self.driver.execute(for_postgres(sql), *self._values(args))

    async def batch(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Run several statements in order; on SQLite in one trip to the driver's thread.

        Inside the one write transaction SQLite allows, every await is time other writers
        wait, and under load each trip back to the event loop is a long one.
        """
        self.count += len(statements)
        if not self.sqlite:
            for sql, args in statements:
                await self.driver.execute(for_postgres(sql), *self._values(args))
            return
        prepared = [(for_sqlite(sql), self._values(args)) for sql, args in statements]

        def run_all() -> None:
            for sql, values in prepared:
                self.driver._conn.execute(sql, values).close()

        await self.driver._execute(run_all)  # aiosqlite's own way to run on its thread


def drive_sqlite(connection: sqlite3.Connection, plan: Plan[T], raw: Raw | None = None) -> T:
    """Run ``plan`` on a plain sqlite3 connection, in the calling thread (counted on
    ``raw`` when given)."""
    values = raw._values if raw is not None else _sqlite_values
    try:
        query = next(plan)
        while True:
            if raw is not None:
                raw.count += 1
            cursor = connection.execute(for_sqlite(query.sql), values(query.args))
            try:
                found = cursor.fetchall()
            finally:
                cursor.close()
            columns = query.columns
            query = plan.send([dict(zip(columns, row, strict=True)) for row in found])
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def _sqlite_values(args: Sequence[Any]) -> list[Any]:
    return [_json_list(a) if isinstance(a, list | set | tuple) else a for a in args]


def _json_list(values: Any) -> str:
    return orjson.dumps(list(values)).decode()


def select_list(columns: Sequence[str], prefix: str) -> str:
    return ", ".join(f"{prefix}.{c}" for c in columns)
