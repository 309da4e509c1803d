"""Migrations: empty to head and back down, on SQLite and PostgreSQL, matching the tables."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from fediverse.storage.database import SCHEMA_REVISION, sqlalchemy_url
from fediverse.storage.migrate import downgrade, head_revision, upgrade
from fediverse.storage.tables import metadata
from tests.support.databases import empty_database

DATABASE_KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
# Full-text search is made by migration 0007 outside the table definitions, as
# fediverse/search.py explains: SQLite's FTS5 table (with its shadow tables), PostgreSQL's index.
SEARCH_TABLES = "status_search"
SEARCH_INDEX = "ix_statuses_search"
# PostgreSQL's kept entity fields are made by migration 0010 with the triggers that write
# them, outside the table definitions (web.mastodon.serializers.sqljson.own_fields_object).
KEPT_FIELDS = "own_fields"


async def table_names(url: str) -> set[str]:
    engine = create_async_engine(sqlalchemy_url(url))
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return {n for n in names if not n.startswith(SEARCH_TABLES)} - {"alembic_version"}


async def schema_differences(url: str) -> list[object]:
    engine = create_async_engine(sqlalchemy_url(url))
    with warnings.catch_warnings():
        # Expression indexes cannot be reflected; the one we have is checked by its own test.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
    await engine.dispose()
    return [d for d in diff if not _is_search(d) and not _is_kept_fields(d)]


def _is_search(difference: object) -> bool:
    if not isinstance(difference, tuple):
        return False
    kind, item = difference[0], difference[1]
    if kind == "remove_table":
        return bool(item.name.startswith(SEARCH_TABLES))
    return bool(kind == "remove_index" and item.name == SEARCH_INDEX)


def _is_kept_fields(difference: object) -> bool:
    if not isinstance(difference, tuple) or difference[0] != "remove_column":
        return False
    return bool(difference[2] in ("accounts", "statuses") and difference[3].name == KEPT_FIELDS)


def test_the_code_expects_the_newest_migration() -> None:
    assert head_revision() == SCHEMA_REVISION


@pytest.mark.parametrize("kind", DATABASE_KINDS)
async def test_migrations_go_up_to_head_and_down_to_empty(kind: str, tmp_path: Path) -> None:
    async with empty_database(kind, tmp_path) as url:
        await asyncio.to_thread(upgrade, url)
        assert await table_names(url) == set(metadata.tables)
        await asyncio.to_thread(downgrade, url)
        assert await table_names(url) == set()
        await asyncio.to_thread(upgrade, url)
        assert await table_names(url) == set(metadata.tables)


@pytest.mark.parametrize("kind", DATABASE_KINDS)
async def test_the_migrated_schema_matches_the_table_definitions(kind: str, tmp_path: Path) -> None:
    async with empty_database(kind, tmp_path) as url:
        await asyncio.to_thread(upgrade, url)
        assert await schema_differences(url) == []
