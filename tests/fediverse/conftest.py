"""What the tests of fediverse/ share: a runtime over the test's store, and local users."""

from __future__ import annotations

import pytest

from fediverse.accounts import NewUser, create_user
from fediverse.jobs import JobQueue
from fediverse.runtime import Runtime
from fediverse.storage.database import Store
from tests.conftest import make_settings

BASE = "https://kommun-a.test"


async def user(store: Store, name: str) -> int:
    """A local user without a password; returns the account's id."""
    created = await create_user(store, BASE, NewUser(name, f"{name}@kommun-a.se", None))
    return created.account_id


@pytest.fixture
def runtime(store: Store) -> Runtime:
    return Runtime(make_settings(), store, JobQueue(store))
