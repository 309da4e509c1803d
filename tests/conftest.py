"""Fixtures shared by every test: databases on SQLite and PostgreSQL, settings, stores."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from fediverse.jobs import JobQueue
from fediverse.settings import Settings, load_settings
from fediverse.storage.database import Store
from fediverse.storage.migrate import upgrade
from fediverse.storage.nodes import claim_node, make_holder
from tests.support.databases import empty_database

DATABASE_KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def make_settings(**overrides: Any) -> Settings:
    """Settings for a test instance; keyword overrides as in ``make_settings(domain=...)``."""
    environ = {
        "KOLLEGIUM_DOMAIN": "kommun-a.test",
        "KOLLEGIUM_SECRET_KEY": "x" * 40,
        "KOLLEGIUM_DEV_INSECURE": "1",
    }
    return load_settings(environ, env_file=None, **overrides)


@pytest.fixture(params=DATABASE_KINDS)
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(database_kind: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database migrated to head, on SQLite and (where reachable) on PostgreSQL."""
    async with empty_database(database_kind, tmp_path) as url:
        await asyncio.to_thread(upgrade, url)
        yield url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A connected store with an id node claimed."""
    connected = Store(database_url)
    await connected.connect()
    await claim_node(connected, make_holder())
    yield connected
    await connected.disconnect()


@pytest.fixture
def queue(store: Store) -> JobQueue:
    return JobQueue(store)
