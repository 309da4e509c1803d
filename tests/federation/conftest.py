"""Fixtures of the federation tests: an instance on the test database, its remote world."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fediverse.accounts import new_key_columns
from fediverse.storage.database import Store
from tests.conftest import make_settings
from tests.federation.support import Bench

_KEYS = new_key_columns()


@pytest.fixture
async def bench(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Bench]:
    # Generating RSA keys is most of a test's time: every local actor here shares one.
    monkeypatch.setattr("fediverse.accounts.new_key_columns", lambda: dict(_KEYS))
    settings = make_settings(database_url=database_url, federation_mode="blocklist")
    made = Bench(settings, store)
    await made.start()
    yield made
    await made.close()
