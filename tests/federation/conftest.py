"""Fixtures of the federation tests: an instance on the test database, its remote world."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fediverse.storage.database import Store
from tests.conftest import make_settings
from tests.federation.support import Bench


@pytest.fixture
async def bench(store: Store, database_url: str) -> AsyncIterator[Bench]:
    settings = make_settings(database_url=database_url, federation_mode="blocklist")
    made = Bench(settings, store)
    await made.start()
    yield made
    await made.close()
