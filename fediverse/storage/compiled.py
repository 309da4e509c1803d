"""SQLAlchemy statements compiled once per shape, for ``databases``.

``databases`` compiles every statement it is sent, every time. SQLAlchemy's compiler takes
some 0.2-1 ms for a select with a few joins, often more than the database takes to run it,
and the requests of an instance send the same few hundred shapes with other values. (The
hottest reads are hand-written for that reason: ``fediverse.rawsql``.) SQLAlchemy knows when
two statements differ only in their values: its cache key, which its own engines cache
compiled statements by. The backends here do the same for ``databases``: they keep each
shape's compiled form and take the statement's values from its key, then hand the driver
exactly what ``databases`` would have.

A statement's ``IN`` lists are written into its text at each execution, as SQLAlchemy's
engines do. A statement without a cache key, and DDL, are compiled every time, as before.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from databases.backends.common.records import Record, create_column_maps
from databases.backends.postgres import PostgresBackend, PostgresConnection
from databases.backends.sqlite import CompilationContext, SQLiteBackend, SQLiteConnection
from databases.core import Database
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.cache_key import CacheKey
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.ddl import DDLElement

SHAPES = 2_000  # compiled shapes kept per database, the least recently used dropped first


@dataclass(frozen=True, slots=True)
class Shape:
    compiled: SQLCompiler
    text: str  # for PostgreSQL, with $n placeholders; for SQLite, compiled.string
    order: tuple[str, ...]  # the bound parameters' names, in the placeholders' order
    expands: bool  # whether it has IN lists (or other values) written into its text


class Shapes:
    """A database's compiled shapes, by cache key."""

    def __init__(self, limit: int = SHAPES) -> None:
        self.limit = limit
        self.kept: OrderedDict[Any, Shape] = OrderedDict()
        self.compiled = 0  # how many statements were compiled here, for tests
        self._maps: dict[int, tuple[Any, Any]] = {}

    def prepare(
        self, query: ClauseElement, dialect: Dialect, postgres: bool
    ) -> tuple[str, list[Any], SQLCompiler] | None:
        """The query's text for the driver, its arguments and its compiled form, as
        ``databases`` makes them; None when it must be compiled as it is."""
        if isinstance(query, DDLElement):
            return None
        key = query._generate_cache_key()
        if key is None:
            return None
        shape = self.kept.get(key.key)  # the key's structure; its values are the statement's
        if shape is None:
            shape = self._compile(query, key, dialect, postgres)
            self.kept[key.key] = shape
            if len(self.kept) > self.limit:
                self.kept.popitem(last=False)
        else:
            self.kept.move_to_end(key.key)
        compiled = shape.compiled
        values = compiled.construct_params(extracted_parameters=key.bindparams)
        if not shape.expands:
            return shape.text, _args(shape.order, compiled._bind_processors, values), compiled
        # The lists' lengths are the statement's own: its text is written out each time, as
        # SQLAlchemy's engines do, which costs little beside compiling.
        expanded = compiled._process_parameters_for_postcompile(values)
        if postgres:
            order, text = _numbered(expanded.statement, expanded.parameters)
        else:
            order, text = tuple(expanded.positiontup or ()), expanded.statement
        return text, _args(order, expanded.processors, expanded.parameters), compiled

    def column_maps(self, result_columns: Any) -> Any:
        """``create_column_maps``, once for the result columns of each kept shape."""
        found = self._maps.get(id(result_columns))
        if found is not None and found[0] is result_columns:
            return found[1]
        maps = create_column_maps(result_columns)
        if len(self._maps) >= self.limit:
            self._maps.clear()
        self._maps[id(result_columns)] = (result_columns, maps)  # kept alive with its id
        return maps

    def _compile(
        self, query: ClauseElement, key: CacheKey, dialect: Dialect, postgres: bool
    ) -> Shape:
        # As SQLAlchemy's engines compile for their cache: with the key, whose bound
        # parameters later statements' values are matched to, and IN lists left to expand
        # at execution (``render_postcompile``, which databases uses, would tie the compiled
        # form to its first values).
        compiled = query.compile(dialect=dialect, cache_key=key)
        assert isinstance(compiled, SQLCompiler)
        self.compiled += 1
        expands = bool(compiled.post_compile_params or compiled.literal_execute_params)
        if postgres:
            order, text = _numbered(compiled.string, compiled.params)
        else:
            order, text = tuple(compiled.positiontup or ()), compiled.string
        return Shape(compiled, text, order, expands)


def _numbered(text: str, values: Mapping[str, Any]) -> tuple[tuple[str, ...], str]:
    """PostgreSQL's $n placeholders, numbered as databases numbers them: by sorted name."""
    order = tuple(sorted(values))
    return order, text % {name: f"${n}" for n, name in enumerate(order, start=1)}


def _args(order: tuple[str, ...], processors: Any, values: Mapping[str, Any]) -> list[Any]:
    return [
        processors[name](values[name]) if name in processors else values[name] for name in order
    ]


class ShapedPostgresConnection(PostgresConnection):
    def __init__(self, database: ShapedPostgresBackend, dialect: Dialect) -> None:
        super().__init__(database, dialect)
        self._shapes = database.shapes

    # databases' own two, but for the column maps: a kept shape's are made once.
    async def fetch_all(self, query: ClauseElement) -> list[Any]:
        assert self._connection is not None, "Connection is not acquired"
        text, args, result_columns = self._compile(query)
        rows = await self._connection.fetch(text, *args)
        maps = self._shapes.column_maps(result_columns)
        return [Record(row, result_columns, self._dialect, maps) for row in rows]

    async def fetch_one(self, query: ClauseElement) -> Any:
        assert self._connection is not None, "Connection is not acquired"
        text, args, result_columns = self._compile(query)
        row = await self._connection.fetchrow(text, *args)
        if row is None:
            return None
        return Record(row, result_columns, self._dialect, self._shapes.column_maps(result_columns))

    def _compile(self, query: ClauseElement) -> tuple[str, list[Any], Any]:
        found = self._shapes.prepare(query, self._dialect, postgres=True)
        if found is None:
            return super()._compile(query)
        text, args, compiled = found
        return text, args, compiled._result_columns


class ShapedPostgresBackend(PostgresBackend):
    def __init__(self, database_url: Any, **options: Any) -> None:
        super().__init__(database_url, **options)
        self.shapes = Shapes()

    def connection(self) -> ShapedPostgresConnection:
        return ShapedPostgresConnection(self, self._dialect)


class ShapedSQLiteConnection(SQLiteConnection):
    def __init__(self, pool: Any, dialect: Dialect, shapes: Shapes) -> None:
        super().__init__(pool, dialect)
        self._shapes = shapes

    def _compile(self, query: ClauseElement) -> Any:  # databases' own annotation is wrong
        found = self._shapes.prepare(query, self._dialect, postgres=False)
        if found is None:
            return super()._compile(query)
        text, args, compiled = found
        context: Any = self._dialect.execution_ctx_cls()
        context.dialect = self._dialect
        context.result_column_struct = (
            compiled._result_columns,
            compiled._ordered_columns,
            compiled._textual_ordered_columns,
            compiled._ad_hoc_textual,
            compiled._loose_column_name_matching,
        )
        return text, args, compiled._result_columns, CompilationContext(context)


class ShapedSQLiteBackend(SQLiteBackend):
    def __init__(self, database_url: Any, **options: Any) -> None:
        super().__init__(database_url, **options)
        self.shapes = Shapes()

    def connection(self) -> ShapedSQLiteConnection:
        return ShapedSQLiteConnection(self._pool, self._dialect, self.shapes)


class ShapedDatabase(Database):
    """``databases.Database`` with the backends above for PostgreSQL and SQLite."""

    SUPPORTED_BACKENDS = Database.SUPPORTED_BACKENDS | {
        "postgresql": f"{__name__}:ShapedPostgresBackend",
        "postgres": f"{__name__}:ShapedPostgresBackend",
        "sqlite": f"{__name__}:ShapedSQLiteBackend",
    }
