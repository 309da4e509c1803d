"""Fresh databases for tests: an SQLite file, or a throw-away PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

PG_ENV = "KOLLEGIUM_TEST_DATABASE_URL"


def postgres_admin_url() -> str:
    """The PostgreSQL server to test on, or a skip with the reason."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set; PostgreSQL tests skipped")
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


@asynccontextmanager
async def postgres_database(template: str | None = None) -> AsyncIterator[str]:
    """A new PostgreSQL database (empty, or a copy of ``template``), dropped afterwards."""
    admin_url = postgres_admin_url()
    name = f"kt_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(admin_url)
    try:
        copy = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
        yield with_database(admin_url, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def empty_database(kind: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of ``kind`` (sqlite or postgresql)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'kollegium.db'}"
        return
    async with postgres_database() as url:
        yield url


@contextmanager
def postgres_database_sync() -> Iterator[str]:
    """``postgres_database`` for synchronous tests that drive processes."""
    admin_url = postgres_admin_url()
    name = f"kt_{secrets.token_hex(6)}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield with_database(admin_url, name)
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(admin_url: str, statement: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(statement)
    finally:
        await admin.close()
