"""Moving an instance from SQLite to PostgreSQL with all its data.

The source is read inside one SQLite read transaction, so the copy is one consistent
snapshot. The target is migrated to the head revision first and must be empty; every
table of ``metadata`` is then copied in foreign-key order, in batches, with PostgreSQL's
binary COPY, inside one transaction that also compares the counts: a copy that fails or
disagrees leaves the target's tables empty. Ids, keys and times are copied as they are.

A column that refers to its own table (a reply's parent, an account's new home) may point
at a row that comes later; such columns are copied empty and filled in afterwards.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Boolean, Table

from fediverse.errors import StorageError, ValidationError
from fediverse.storage.database import SCHEMA_REVISION, driver_url, sqlite_path
from fediverse.storage.migrate import upgrade
from fediverse.storage.tables import metadata

BATCH_ROWS = 5_000
Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class CopyPlan:
    """How one table is copied: its columns and those filled in after every insert."""

    table: Table
    columns: list[str]
    deferred: list[str]
    booleans: frozenset[int]


def plan(table: Table) -> CopyPlan:
    columns = [column.name for column in table.columns]
    deferred = [fk.parent.name for fk in table.foreign_keys if fk.column.table.name == table.name]
    booleans = frozenset(
        i for i, column in enumerate(table.columns) if isinstance(column.type, Boolean)
    )
    return CopyPlan(table, columns, deferred, booleans)


def plans() -> list[CopyPlan]:
    """Every table, parents before children."""
    return [plan(table) for table in metadata.sorted_tables]


def open_source(database_url: str) -> sqlite3.Connection:
    """The SQLite database, read-only, checked to be at this version's schema."""
    path = sqlite_path(database_url)
    if path is None:
        raise ValidationError("kollegium migrate copies from SQLite: KOLLEGIUM_DATABASE_URL is not")
    if not path.exists():
        raise StorageError(f"there is no database at {path}: run `kollegium init`")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        revision = source.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        source.close()
        raise StorageError(f"{path} is not an initialised Kollegium database") from exc
    if revision is None or revision[0] != SCHEMA_REVISION:
        source.close()
        raise StorageError(f"{path} is not at schema {SCHEMA_REVISION}: run `kollegium init`")
    return source


def source_rows(source: sqlite3.Connection, copy: CopyPlan) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of one table in batches, booleans turned back into booleans."""
    names = ", ".join(f'"{name}"' for name in copy.columns)
    cursor = source.execute(f'SELECT {names} FROM "{copy.table.name}"')  # noqa: S608 (our names)
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield [_convert(row, copy.booleans) for row in batch]


def _convert(row: tuple[Any, ...], booleans: frozenset[int]) -> tuple[Any, ...]:
    if not booleans:
        return row
    return tuple(
        bool(value) if i in booleans and value is not None else value for i, value in enumerate(row)
    )


async def check_target_empty(target_url: str) -> None:
    """Refuse a target that cannot be reached or holds data already."""
    try:
        conn = await asyncpg.connect(driver_url(target_url), timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise StorageError(f"cannot reach the target database: {exc}") from exc
    try:
        for table in metadata.sorted_tables:
            exists = await conn.fetchval("SELECT to_regclass($1)", f'public."{table.name}"')
            if exists is not None and await conn.fetchval(
                f'SELECT EXISTS (SELECT 1 FROM "{table.name}")'  # noqa: S608 (our names)
            ):
                raise ValidationError(f"the target database is not empty: {table.name} has rows")
    finally:
        await conn.close()


async def copy_to_postgres(
    database_url: str, target_url: str, progress: Progress | None = None
) -> dict[str, int]:
    """Copy every table; returns the rows per table, equal on both sides."""
    source = open_source(database_url)
    try:
        await check_target_empty(target_url)
        upgrade(driver_url(target_url))
        return await _copy(source, target_url, progress or (lambda _table, _rows: None))
    finally:
        source.close()


async def _copy(source: sqlite3.Connection, target_url: str, progress: Progress) -> dict[str, int]:
    conn = await asyncpg.connect(driver_url(target_url))
    source.execute("BEGIN")  # one snapshot for every table
    try:
        async with conn.transaction():
            copied = {copy.table.name: await _copy_table(source, conn, copy) for copy in plans()}
            for name, rows in copied.items():
                progress(name, rows)
            await _verify(conn, copied)
        return copied
    finally:
        source.execute("COMMIT")
        await conn.close()


async def _copy_table(source: sqlite3.Connection, conn: asyncpg.Connection, copy: CopyPlan) -> int:
    rows = 0
    late: list[tuple[Any, ...]] = []
    deferred_at = [copy.columns.index(name) for name in copy.deferred]
    for batch in source_rows(source, copy):
        if deferred_at:
            late.extend(_late_values(batch, deferred_at, copy.columns.index("id")))
            batch = [_without(row, deferred_at) for row in batch]
        await conn.copy_records_to_table(copy.table.name, records=batch, columns=copy.columns)
        rows += len(batch)
    await _fill_deferred(conn, copy, late)
    return rows


def _late_values(
    batch: list[tuple[Any, ...]], at: list[int], id_at: int
) -> Iterator[tuple[Any, ...]]:
    for row in batch:
        if any(row[i] is not None for i in at):
            yield (row[id_at], *(row[i] for i in at))


def _without(row: tuple[Any, ...], at: list[int]) -> tuple[Any, ...]:
    return tuple(None if i in at else value for i, value in enumerate(row))


async def _fill_deferred(
    conn: asyncpg.Connection, copy: CopyPlan, late: list[tuple[Any, ...]]
) -> None:
    if not late:
        return
    sets = ", ".join(f'"{name}" = ${n + 2}' for n, name in enumerate(copy.deferred))
    statement = f'UPDATE "{copy.table.name}" SET {sets} WHERE id = $1'  # noqa: S608 (our names)
    for start in range(0, len(late), BATCH_ROWS):
        await conn.executemany(statement, late[start : start + BATCH_ROWS])


async def _verify(conn: asyncpg.Connection, copied: dict[str, int]) -> None:
    for name, expected in copied.items():
        found = await conn.fetchval(f'SELECT count(*) FROM "{name}"')  # noqa: S608 (our names)
        if found != expected:
            raise StorageError(f"copy of {name} has {found} rows, the source {expected}")
